package kami

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func mustCode(t *testing.T, err error, want Code) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestIntegrationEveryEncoding(t *testing.T) {
	for _, mode := range []string{"plain", "base64", "rsa"} {
		t.Run(mode, func(t *testing.T) {
			srv := sharedPlainServer(t)
			if mode != "plain" {
				srv = startServer(t, map[string]any{"encoding": mode})
			}
			c := srv.client()
			card := srv.card(nil)
			ctx := context.Background()
			s, err := c.Login(ctx, card, "DEVICE_1")
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Statecode) != 32 || s.IMEI != "DEVICE_1" || s.Card != card || s.ExpiresAt.IsZero() || s.Available <= 0 {
				t.Fatalf("session %+v", s.LoginResult)
			}
			hb, err := s.Heartbeat(ctx)
			if err != nil || hb.Msg != MsgHeartbeatOnline {
				t.Fatalf("heartbeat %+v %v", hb, err)
			}
			q, err := c.Query(ctx, card)
			if err != nil || q.Raw["code"] == nil {
				t.Fatalf("query %+v %v", q, err)
			}
			if q.Line == nil || *q.Line != 1 || q.LineTime == nil || len(*q.LineTime) != len("2006-01-02 15:04:05") {
				t.Fatalf("query line %+v", q)
			}
			if u, err := c.Query(ctx, srv.card(nil)); err != nil || u.Line == nil || *u.Line != 0 || u.LineTime == nil || *u.LineTime != "" {
				t.Fatalf("unused card's line %+v %v", u, err)
			}
			if _, err := c.Notice(ctx); err != nil {
				t.Fatal(err)
			}
			v, err := c.Version(ctx)
			if err != nil || v.Version == "" {
				t.Fatalf("version %+v %v", v, err)
			}
			latest, err := c.CheckUpdate(ctx, v.Version)
			if err != nil || !latest.Latest {
				t.Fatalf("check_update %s: %+v %v", v.Version, latest, err)
			}
			older, err := c.CheckUpdate(ctx, "0.0.1")
			if err != nil || older.Latest || older.Version != v.Version {
				t.Fatalf("check_update 0.0.1: %+v %v", older, err)
			}
			r, err := c.Call(ctx, EndpointQuery, Param{"kami", "NO-SUCH-CARD"})
			if err != nil || r.Fields["code"] == nil || c.succeeded(r) {
				t.Fatalf("raw call %+v %v", r, err)
			}
			u, err := c.Unbind(ctx, card, "DEVICE_1")
			if err != nil || u.Msg == "" {
				t.Fatalf("unbind %+v %v", u, err)
			}
			if _, err := c.Login(ctx, card, "DEVICE_2"); err != nil {
				t.Fatalf("login on another device after unbind: %v", err)
			}
		})
	}
}

func TestIntegrationIntCodeAndTwoWaySignatures(t *testing.T) {
	srv := startServer(t, map[string]any{"settings": map[string]any{"codeType": "int", "signatureCheck": "two-way"}})
	card := srv.card(nil)
	ctx := context.Background()
	s, err := srv.client().Login(ctx, card, "M1")
	if err != nil {
		t.Fatal(err)
	}
	if _, isNumber := s.Raw["code"].(interface{ Int64() (int64, error) }); !isNumber {
		t.Fatalf("code %#v is not a number", s.Raw["code"])
	}
	if _, err := s.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = srv.client(WithTokenCheck(TokenBasic)).Login(ctx, card, "M1")
	mustCode(t, err, CodeTokenMismatch)
	if !errors.Is(err, KindVerification) {
		t.Fatalf("kind of %v", err)
	}
}

func TestIntegrationServerRefusals(t *testing.T) {
	srv := sharedPlainServer(t)
	c := srv.client()
	ctx := context.Background()

	_, err := srv.clientAt(srv.URL, func(cfg *config) {}).Login(ctx, "", "M")
	mustCode(t, err, CodeInvalidArgument)

	wrongKey, _ := New(srv.URL, strings.Repeat("0", 32), srv.App.Routes, WithClock(srv.clock))
	_, err = wrongKey.Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeSignatureInvalid)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindAPI || e.ServerMessage != "签名有误" || e.ServerCode == "" {
		t.Fatalf("error fields %+v", e)
	}

	bound := srv.card(map[string]any{"imei": "OTHER-MACHINE"})
	_, err = c.Login(ctx, bound, "THIS-MACHINE")
	mustCode(t, err, CodeDeviceMismatch)

	_, err = c.Login(ctx, srv.card(map[string]any{"disabled": true}), "M")
	mustCode(t, err, CodeCardDisabled)

	_, err = c.Login(ctx, "0123456789ABCDEF0123456789ABCDEF", "M")
	mustCode(t, err, CodeCardNotFound)

	_, err = c.Heartbeat(ctx, strings.Repeat("f", 32), "")
	mustCode(t, err, CodeStatecodeNotFound)

	_, err = c.Login(ctx, "X", "it's")
	mustCode(t, err, CodeInvalidArgument)
}

func TestIntegrationExpiredCard(t *testing.T) {
	srv := startServer(t, nil)
	c := srv.client()
	ctx := context.Background()
	card := srv.card(map[string]any{"type": 0})
	if _, err := c.Login(ctx, card, "M"); err != nil {
		t.Fatal(err)
	}
	srv.advance(25 * time.Hour)
	_, err := c.Login(ctx, card, "M")
	mustCode(t, err, CodeCardExpired)
}

func TestIntegrationContextCancelled(t *testing.T) {
	srv := sharedPlainServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := srv.client().Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeAborted)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, KindAborted) {
		t.Fatalf("%v does not wrap context.Canceled", err)
	}
}

// deadURL is a loopback address that refuses connections.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestIntegrationFailoverFromDeadHost(t *testing.T) {
	srv := sharedPlainServer(t)
	c := srv.clientAt(deadURL(t), WithFallbackURLs(srv.URL))
	ctx := context.Background()
	s, err := c.Login(ctx, srv.card(nil), "M")
	if err != nil {
		t.Fatalf("login did not fail over: %v", err)
	}
	if _, err := s.Heartbeat(ctx); err != nil {
		t.Fatalf("heartbeat did not fail over: %v", err)
	}
	if c.t3.preferred.Load() != 1 {
		t.Fatal("the live host did not become preferred")
	}
}

// hangUp accepts connections, reads the request and closes without answering: the request may
// have reached a server.
func hangUp(t *testing.T) (string, *atomic.Int32) {
	var hits atomic.Int32
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(h.Close)
	return h.URL, &hits
}

func TestIntegrationLoginNeverResentAfterItMayHaveArrived(t *testing.T) {
	srv := sharedPlainServer(t)
	proxy, seen := proxyTo(t, srv.URL, nil)
	dropped, hits := hangUp(t)
	c := srv.clientAt(dropped, WithFallbackURLs(proxy))
	ctx := context.Background()
	_, err := c.Login(ctx, srv.card(nil), "M")
	if !errors.Is(err, KindConnection) || errors.Is(err, KindAPI) {
		t.Fatalf("got %v, want a connection error", err)
	}
	var e *Error
	if errors.As(err, &e); e.Phase != PhaseUnknown || hits.Load() != 1 || seen.Load() != 0 {
		t.Fatalf("phase %s, %d hits, %d resent", e.Phase, hits.Load(), seen.Load())
	}
	// A heartbeat is idempotent: it moves on to the live host.
	s, err := srv.client().Login(ctx, srv.card(nil), "M")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Heartbeat(ctx, s.Statecode, ""); err != nil || seen.Load() != 1 {
		t.Fatalf("heartbeat: %v (%d seen)", err, seen.Load())
	}
}

// proxyTo forwards to target; rewrite, when set, may change each reply body.
func proxyTo(t *testing.T, target string, rewrite func(req *http.Request, status int, body string) (int, string)) (string, *atomic.Int32) {
	u, _ := url.Parse(target)
	var seen atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if rewrite == nil {
			return nil
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		status, body := rewrite(resp.Request, resp.StatusCode, string(data))
		resp.StatusCode = status
		resp.Body = io.NopCloser(strings.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return nil
	}
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(h.Close)
	return h.URL, &seen
}

func TestIntegrationRetriesHeartbeatThrough503(t *testing.T) {
	srv := sharedPlainServer(t)
	var failures atomic.Int32
	proxy, seen := proxyTo(t, srv.URL, func(r *http.Request, status int, body string) (int, string) {
		if strings.HasSuffix(r.URL.Path, srv.App.Routes[EndpointHeartbeat]) && failures.Add(1) <= 2 {
			return 503, "Service Unavailable"
		}
		return status, body
	})
	c := srv.clientAt(proxy)
	ctx := context.Background()
	s, err := c.Login(ctx, srv.card(nil), "M")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Heartbeat(ctx); err != nil {
		t.Fatalf("heartbeat through two 503s: %v", err)
	}
	if seen.Load() != 4 {
		t.Fatalf("%d requests, want 1 login + 3 heartbeats", seen.Load())
	}
	_, err = srv.clientAt(proxy, WithMaxRetries(0)).Heartbeat(ctx, s.Statecode, "")
	if err != nil {
		t.Fatalf("a third heartbeat passes: %v", err)
	}
}

func TestIntegrationTamperedRepliesAreRejected(t *testing.T) {
	srv := sharedPlainServer(t)
	tamper := func(field string, change func(string) string) string {
		proxy, _ := proxyTo(t, srv.URL, func(r *http.Request, status int, body string) (int, string) {
			b, ok := parseJSON(body)
			m, isMap := b.(map[string]any)
			if !ok || !isMap || m[field] == nil {
				return status, body
			}
			old := fieldText(m[field])
			return status, strings.Replace(body, old, change(old), 1)
		})
		return proxy
	}
	flip := func(s string) string {
		if s[0] == 'a' {
			return "b" + s[1:]
		}
		return "a" + s[1:]
	}
	ctx := context.Background()
	_, err := srv.clientAt(tamper("token", flip)).Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeTokenMismatch)
	_, err = srv.clientAt(tamper("statecode", flip)).Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeStatecodeMismatch)
	_, err = srv.clientAt(tamper("safe_code", flip)).Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeSafeCodeMismatch)
	_, err = srv.clientAt(tamper("time", func(string) string { return "1000000000" })).Login(ctx, srv.card(nil), "M")
	mustCode(t, err, CodeClockSkew)
}

type events struct {
	mu      sync.Mutex
	beats   int
	errs    []error
	relogin int
	lost    error
	reason  LostReason
	notify  chan string
}

func newEvents() *events { return &events{notify: make(chan string, 1000)} }

func (e *events) hook(o HeartbeatOptions) HeartbeatOptions {
	o.OnBeat = func(*HeartbeatResult, BeatInfo) { e.mu.Lock(); e.beats++; e.mu.Unlock(); e.notify <- "beat" }
	o.OnError = func(err error, _ RetryInfo) {
		e.mu.Lock()
		e.errs = append(e.errs, err)
		e.mu.Unlock()
		e.notify <- "error"
	}
	o.OnRelogin = func(*LoginResult) { e.mu.Lock(); e.relogin++; e.mu.Unlock(); e.notify <- "relogin" }
	o.OnLost = func(err error, r LostReason) {
		e.mu.Lock()
		e.lost, e.reason = err, r
		e.mu.Unlock()
		e.notify <- "lost"
	}
	return o
}

func (e *events) await(t *testing.T, what string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case got := <-e.notify:
			if got == what {
				return
			}
		case <-deadline:
			t.Fatalf("no %s event", what)
		}
	}
}

func TestIntegrationLoopSurvivesRestartAndReportsDisabledCard(t *testing.T) {
	srv := startServer(t, nil)
	checkLeaks(t) // after the harness is up: its own goroutines are not ours
	c := srv.client(WithMaxRetries(0))
	card := srv.card(nil)
	s, err := c.Login(context.Background(), card, "M")
	if err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	hb, err := s.StartHeartbeat(context.Background(), ev.hook(HeartbeatOptions{
		Interval: 300 * time.Millisecond, Validity: 60 * time.Second,
		InitialBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
	}))
	if err != nil {
		t.Fatal(err)
	}
	ev.await(t, "beat")
	srv.control("stop")
	ev.await(t, "error")
	ev.await(t, "error")
	srv.control("start")
	ev.await(t, "beat")
	ev.mu.Lock()
	for _, e := range ev.errs {
		if !errors.Is(e, KindConnection) {
			t.Errorf("transient error %v is not a connection error", e)
		}
	}
	ev.mu.Unlock()

	srv.cardAction(card, "disable")
	ev.await(t, "lost")
	end := hb.Wait()
	if end.Reason != EndLost || end.LostReason != LostRejected || !errors.Is(end.Err, CodeCardDisabled) || end.Beats < 2 {
		t.Fatalf("end %+v", end)
	}
	c.Close()
}

func TestIntegrationLoopReloginsAfterKick(t *testing.T) {
	srv := sharedPlainServer(t)
	checkLeaks(t) // after the harness is up: its own goroutines are not ours
	c := srv.client()
	card := srv.card(nil)
	s, err := c.Login(context.Background(), card, "M")
	if err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	hb, err := s.StartHeartbeat(context.Background(), ev.hook(HeartbeatOptions{Interval: 200 * time.Millisecond, Validity: time.Minute, Relogin: true}))
	if err != nil {
		t.Fatal(err)
	}
	ev.await(t, "beat")
	srv.cardAction(card, "kick")
	ev.await(t, "relogin")
	ev.await(t, "beat")
	// (The new statecode may equal the old one: it is md5(token + time), both from the same second.)
	if hb.Login() == nil || hb.Statecode() != hb.Login().Statecode {
		t.Fatal("the loop did not take the new login")
	}
	srv.cardAction(card, "delete")
	ev.await(t, "lost")
	if end := hb.Wait(); !errors.Is(end.Err, CodeCardNotFound) && !errors.Is(end.Err, CodeStatecodeNotFound) {
		t.Fatalf("end %+v", end)
	}
	c.Close()
}

func TestIntegrationLoopStopsWithoutLeaks(t *testing.T) {
	srv := sharedPlainServer(t)
	checkLeaks(t) // after the harness is up: its own goroutines are not ours
	c := srv.client()
	s, err := c.Login(context.Background(), srv.card(nil), "M")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hb, _ := s.StartHeartbeat(ctx, HeartbeatOptions{Interval: 50 * time.Millisecond, Validity: time.Minute, Immediate: true})
	stopped, _ := s.StartHeartbeat(context.Background(), HeartbeatOptions{Interval: 50 * time.Millisecond, Validity: time.Minute})
	time.Sleep(200 * time.Millisecond)
	cancel()
	if end := hb.Wait(); end.Reason != EndAborted || end.Beats == 0 {
		t.Fatalf("cancelled loop ended %+v", end)
	}
	if end := stopped.Stop(); end.Reason != EndStopped {
		t.Fatalf("stopped loop ended %+v", end)
	}
	stopped.Stop() // idempotent
	c.Close()
}

func TestIntegrationPotato(t *testing.T) {
	srv := startServer(t, map[string]any{"settings": map[string]any{"potatoSign": true, "potatoSignSecret": "go-sdk-potato-secret"}})
	if srv.PotatoSignSecret == "" {
		t.Fatal("the harness gave no potato sign secret")
	}
	ctx := context.Background()
	c := srv.client(WithPotato(PotatoConfig{AskKey: srv.App.AskKey, UserNumber: srv.PotatoUser.UserNumber,
		PassWord: srv.PotatoUser.PassWord, SignSecret: srv.PotatoSignSecret}))
	cards, err := c.CreateCardMy(ctx, CardMonth, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 3 || len(cards[0].CardStr) != 32 || cards[0].ID == "" || cards[0].Type != int(CardMonth) {
		t.Fatalf("cards %+v", cards)
	}
	s, err := c.Login(ctx, cards[0].CardStr, "M")
	if err != nil || s.Amount == "" {
		t.Fatalf("login with a created card: %+v %v", s, err)
	}
	list, err := c.GetCardMyList(ctx, CardListQuery{Page: 1, Size: 50})
	if err != nil || len(list.Cards) < 3 {
		t.Fatalf("list %+v %v", list, err)
	}
	_, err = c.CreateCardMy(ctx, CardMonth, 11)
	mustCode(t, err, CodeInvalidArgument)

	unsigned := srv.client(WithPotato(PotatoConfig{AskKey: srv.App.AskKey, UserNumber: srv.PotatoUser.UserNumber,
		PassWord: srv.PotatoUser.PassWord}))
	_, err = unsigned.PotatoLogin(ctx, "", "")
	mustCode(t, err, CodeSignatureRequired)

	badAsk := srv.client(WithPotato(PotatoConfig{AskKey: "nope", APIUserToken: "x", SignSecret: srv.PotatoSignSecret}))
	_, err = badAsk.CreateCardMy(ctx, CardDay, 1)
	mustCode(t, err, CodeAskKeyInvalid)

	_, err = srv.client().CreateCardMy(ctx, CardDay, 1)
	mustCode(t, err, CodeInvalidArgument)
}
