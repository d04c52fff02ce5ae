package kami

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func fastLoop(o HeartbeatOptions) HeartbeatOptions {
	if o.Interval == 0 {
		o.Interval = 20 * time.Millisecond
	}
	if o.Validity == 0 {
		o.Validity = 2 * time.Second
	}
	o.InitialBackoff = 5 * time.Millisecond
	o.MaxBackoff = 20 * time.Millisecond
	return o
}

func TestHeartbeatTransientFailuresThenRecovery(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(ep string, n int, _ url.Values) (int, map[string]any, http.Header) {
		if n <= 3 {
			return 500, map[string]any{"error": "boom"}, nil
		}
		return 200, online(), nil
	})
	c := f.client(t, WithMaxRetries(0))
	var errs atomic.Int32
	beat := make(chan BeatInfo, 10)
	hb, err := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S", Card: "C"}, fastLoop(HeartbeatOptions{
		OnError: func(err error, info RetryInfo) {
			if info.Attempt != int(errs.Add(1)) || info.RetryIn <= 0 || info.LostIn <= 0 {
				t.Errorf("retry info %+v", info)
			}
		},
		OnBeat: func(_ *HeartbeatResult, info BeatInfo) { beat <- info },
	}))
	if err != nil {
		t.Fatal(err)
	}
	info := <-beat
	if info.Count != 1 || info.Statecode != "S" || errs.Load() != 3 {
		t.Fatalf("beat %+v after %d errors", info, errs.Load())
	}
	if end := hb.Stop(); end.Reason != EndStopped || end.Beats < 1 {
		t.Fatalf("end %+v", end)
	}
	c.Close()
}

func TestHeartbeatDefinitiveRefusalEndsLost(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 200, refusal("卡密已到期"), nil
	})
	c := f.client(t)
	lost := make(chan LostReason, 1)
	hb, _ := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S"}, fastLoop(HeartbeatOptions{
		Immediate: true,
		OnLost:    func(err error, r LostReason) { lost <- r },
	}))
	end := hb.Wait()
	if end.Reason != EndLost || end.LostReason != LostRejected || !errors.Is(end.Err, CodeCardExpired) || <-lost != LostRejected {
		t.Fatalf("end %+v", end)
	}
	if f.count("heartbeat") != 1 {
		t.Fatalf("%d beats after a definitive refusal", f.count("heartbeat"))
	}
	c.Close()
}

func TestHeartbeatOutageEndsLostWithinValidity(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 503, map[string]any{}, nil
	})
	c := f.client(t, WithMaxRetries(0))
	start := time.Now()
	hb, _ := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S"},
		fastLoop(HeartbeatOptions{Validity: 300 * time.Millisecond, Interval: 100 * time.Millisecond}))
	end := hb.Wait()
	if end.Reason != EndLost || end.LostReason != LostOutage || !errors.Is(end.Err, KindResponse) {
		t.Fatalf("end %+v", end)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("lost after %s, before the validity ran out", took)
	}
	c.Close()
}

func TestHeartbeatReloginOnceThenLost(t *testing.T) {
	checkLeaks(t)
	var f *fakeT3
	f = newFakeT3(t, func(ep string, n int, form url.Values) (int, map[string]any, http.Header) {
		if ep == "login" {
			return 200, f.loginReply(form), nil
		}
		return 200, refusal("状态码不存在"), nil
	})
	c := f.client(t)
	relogins := make(chan *LoginResult, 5)
	hb, err := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S", Card: "C", MachineCode: "M"},
		fastLoop(HeartbeatOptions{Relogin: true, OnRelogin: func(l *LoginResult) { relogins <- l }}))
	if err != nil {
		t.Fatal(err)
	}
	end := hb.Wait()
	// Refused, logged in again, refused again: the second refusal right after a relogin is final.
	if end.Reason != EndLost || !errors.Is(end.Err, CodeStatecodeNotFound) || f.count("login") != 1 || len(relogins) != 1 {
		t.Fatalf("end %+v, %d logins", end, f.count("login"))
	}
	if hb.Login() == nil || hb.Statecode() != hb.Login().Statecode {
		t.Fatal("the relogin's statecode was not taken")
	}
	c.Close()
}

func TestHeartbeatCallbackPanicDoesNotKillTheLoop(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) { return 200, online(), nil })
	c := f.client(t)
	var beats atomic.Int32
	hb, _ := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S"}, fastLoop(HeartbeatOptions{
		OnBeat: func(*HeartbeatResult, BeatInfo) { beats.Add(1); panic("app bug") },
	}))
	for beats.Load() < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	if end := hb.Stop(); end.Reason != EndStopped || end.Beats < 3 {
		t.Fatalf("end %+v", end)
	}
	c.Close()
}

func TestHeartbeatCloseStopsEveryLoop(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) { return 200, online(), nil })
	c := f.client(t)
	var loops []*Heartbeat
	for i := 0; i < 5; i++ {
		hb, _ := c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S"}, fastLoop(HeartbeatOptions{}))
		loops = append(loops, hb)
	}
	c.Close()
	for _, hb := range loops {
		select {
		case <-hb.Done():
		default:
			t.Fatal("Close returned before a loop ended")
		}
		if hb.End().Reason != EndStopped {
			t.Fatalf("end %+v", hb.End())
		}
	}
}

func TestHeartbeatOptionValidation(t *testing.T) {
	f := newFakeT3(t, nil)
	c := f.client(t)
	for name, c2 := range map[string]struct {
		s HeartbeatSession
		o HeartbeatOptions
	}{
		"no statecode":         {HeartbeatSession{}, HeartbeatOptions{}},
		"interval >= validity": {HeartbeatSession{Statecode: "S"}, HeartbeatOptions{Interval: time.Minute, Validity: time.Minute}},
		"negative":             {HeartbeatSession{Statecode: "S"}, HeartbeatOptions{Interval: -1}},
		"relogin without card": {HeartbeatSession{Statecode: "S"}, HeartbeatOptions{Relogin: true}},
	} {
		if _, err := c.StartHeartbeat(context.Background(), c2.s, c2.o); !errors.Is(err, KindValidation) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestIsDefinitiveHeartbeatError(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{t3APIError("卡密被禁用", "201", 200, 0), true},
		{t3APIError("状态码不存在", "201", 200, 0), true},
		{t3APIError("卡密被禁用", "201", 503, 0), false},
		{t3APIError("验证数据已失效,请重试", "201", 200, 0), false},
		{t3APIError("一个未知的错误", "201", 200, 0), false},
		{t3APIError("请求过于频繁,请稍后再试", "201", 200, 0), false},
		{verificationError(CodeClockSkew, "x"), true},
		{validationError("f", "x"), true},
		{&Error{Kind: KindConnection, Code: CodeNetworkError}, false},
		{responseError(CodeResponseInvalidJSON, "x", 200, "", nil), false},
		{errors.New("foreign"), false},
	}
	for _, c := range cases {
		if got := IsDefinitiveHeartbeatError(c.err); got != c.want {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	for attempt, want := range map[int][2]time.Duration{1: {500 * time.Millisecond, time.Second}, 3: {2 * time.Second, 4 * time.Second}, 10: {5 * time.Second, 10 * time.Second}} {
		low := BackoffDelay(attempt, nil, time.Second, 10*time.Second, 0)
		high := BackoffDelay(attempt, nil, time.Second, 10*time.Second, 0.999999)
		if low != want[0] || high < want[1]-time.Millisecond || high > want[1] {
			t.Errorf("attempt %d: %s..%s, want %s..%s", attempt, low, high, want[0], want[1])
		}
	}
	limited := t3APIError("", "429", 429, 30*time.Second)
	if got := BackoffDelay(1, limited, time.Second, 10*time.Second, 0.5); got != 30*time.Second {
		t.Errorf("Retry-After ignored: %s", got)
	}
}

func TestHeartbeatStopAndCloseFromOnLost(t *testing.T) {
	checkLeaks(t)
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 200, refusal("卡密被禁用"), nil
	})
	c := f.client(t)
	var hb *Heartbeat
	ready := make(chan struct{})
	var inLost HeartbeatEnd
	hb, _ = c.StartHeartbeat(context.Background(), HeartbeatSession{Statecode: "S"}, fastLoop(HeartbeatOptions{
		OnLost: func(error, LostReason) {
			<-ready
			inLost = hb.Stop() // must not deadlock
			c.Close()
		},
	}))
	close(ready)
	end := hb.Wait()
	if end.Reason != EndLost || inLost.Reason != EndLost {
		t.Fatalf("end %+v, in OnLost %+v", end, inLost)
	}
}
