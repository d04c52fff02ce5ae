package kami

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	cases := map[string]struct {
		base, key string
		opts      []Option
		field     string
	}{
		"bad url":       {"ftp://x", "k", nil, "baseURL"},
		"bad fallback":  {"http://x", "k", []Option{WithFallbackURLs("nope")}, "baseURL"},
		"no app key":    {"http://x", "", nil, "appKey"},
		"timeout":       {"http://x", "k", []Option{WithTimeout(0)}, "timeout"},
		"retries":       {"http://x", "k", []Option{WithMaxRetries(-1)}, "maxRetries"},
		"alphabet":      {"http://x", "k", []Option{WithEncoding(Base64("abc"))}, "encoding"},
		"rsa key":       {"http://x", "k", []Option{WithEncoding(RSA("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))}, "encoding"},
		"potato askKey": {"http://x", "k", []Option{WithPotato(PotatoConfig{})}, "potato.askKey"},
		"success code":  {"http://x", "k", []Option{WithSuccessCode("")}, "successCode"},
		"token check":   {"http://x", "k", []Option{WithTokenCheck(TokenCheck(9))}, "tokenCheck"},
	}
	for name, c := range cases {
		_, err := New(c.base, c.key, fakeRoutes, c.opts...)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindValidation || e.Field != c.field || !errors.Is(err, CodeInvalidArgument) {
			t.Errorf("%s: %v (field %q)", name, err, c.field)
		}
	}
	if _, err := New("https://example.com/", "k", nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsIsAndAs(t *testing.T) {
	base := t3APIError("请求过于频繁,请稍后再试", "201", 200, 2*time.Second)
	wrapped := fmt.Errorf("licence check: %w", base)
	for target, want := range map[error]bool{
		CodeRateLimited: true, KindRateLimit: true, KindAPI: true, KindConnection: false, CodeCardExpired: false,
	} {
		if errors.Is(wrapped, target) != want {
			t.Errorf("errors.Is(%v) != %v", target, want)
		}
	}
	var e *Error
	if !errors.As(wrapped, &e) || e.RetryAfter != 2*time.Second || CodeOf(wrapped) != CodeRateLimited {
		t.Fatalf("as %+v", e)
	}
	timeout := &Error{Kind: KindTimeout, Code: CodeTimeout, Err: context.DeadlineExceeded}
	if !errors.Is(timeout, KindConnection) || !errors.Is(timeout, context.DeadlineExceeded) || errors.Is(timeout, KindAPI) {
		t.Fatal("timeout kinds")
	}
	if CodeOf(errors.New("x")) != "" || base.Error() != "kami: RATE_LIMITED: 请求过于频繁,请稍后再试" {
		t.Fatalf("%q", base.Error())
	}
	if got := apiError(CodeUnknownServerError, "", "500", 200, 0).Error(); got != "kami: UNKNOWN_SERVER_ERROR" {
		t.Fatalf("%q", got)
	}
}

func TestDeadHostIsConnectPhase(t *testing.T) {
	c, _ := New(deadURL(t), "k", fakeRoutes, WithMaxRetries(0))
	_, err := c.Login(context.Background(), "C", "M")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindConnection || e.Phase != PhaseConnect || !errors.Is(err, CodeNetworkError) {
		t.Fatalf("%+v", err)
	}
}

func TestAttemptTimeoutAndBodyLimit(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	f := newFakeT3(t, func(ep string, n int, _ url.Values) (int, map[string]any, http.Header) {
		if ep == "notice" {
			<-block
		}
		return 200, map[string]any{"code": "200", "msg": strings.Repeat("x", 2000)}, nil
	})
	c := f.client(t, WithTimeout(50*time.Millisecond), WithMaxRetries(0))
	_, err := c.Notice(context.Background())
	if !errors.Is(err, KindTimeout) || !errors.Is(err, CodeTimeout) {
		t.Fatalf("%v", err)
	}
	_, err = f.client(t, WithMaxResponseBytes(100)).Version(context.Background())
	if !errors.Is(err, CodeHTTPError) {
		t.Fatalf("oversized body: %v", err)
	}
}

func TestRepliesTheServerMightSend(t *testing.T) {
	type reply struct {
		status int
		body   map[string]any
		header http.Header
	}
	var mu sync.Mutex
	next := reply{}
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		mu.Lock()
		defer mu.Unlock()
		return next.status, next.body, next.header
	})
	c := f.client(t, WithMaxRetries(0))
	ctx := context.Background()
	set := func(r reply) { mu.Lock(); next = r; mu.Unlock() }

	set(reply{429, refusal("请求过于频繁,请稍后再试"), http.Header{"Retry-After": {"7"}}})
	_, err := c.Notice(ctx)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindRateLimit || e.RetryAfter != 7*time.Second || e.HTTPStatus != 429 {
		t.Fatalf("429: %+v", err)
	}
	set(reply{200, map[string]any{"msg": "x"}, nil})
	_, err = c.Notice(ctx)
	mustCode(t, err, CodeResponseMissingField)

	set(reply{200, map[string]any{"code": "201", "msg": "卡密被禁用"}, nil})
	_, err = c.CheckUpdate(ctx, "1.0")
	mustCode(t, err, CodeCardDisabled)

	set(reply{200, map[string]any{"code": 201, "msg": "已是最新版"}, nil})
	if r, err := c.CheckUpdate(ctx, "1.0"); err != nil || !r.Latest {
		t.Fatalf("latest: %+v %v", r, err)
	}
	set(reply{200, map[string]any{"code": 200, "version": "2.0"}, nil})
	if r, err := c.Version(ctx); err != nil || r.Version != "2.0" {
		t.Fatalf("version: %+v %v", r, err)
	}
	set(reply{200, map[string]any{"code": 200}, nil})
	_, err = c.Version(ctx)
	mustCode(t, err, CodeResponseMissingField)

	set(reply{200, map[string]any{"code": "200", "time": 1}, nil})
	_, err = c.Heartbeat(ctx, "S", "")
	mustCode(t, err, CodeClockSkew)
	if _, err := f.client(t, WithMaxClockSkew(-1)).Heartbeat(ctx, "S", ""); err != nil {
		t.Fatalf("skew check disabled: %v", err)
	}

	set(reply{200, map[string]any{"code": "200", "id": 1, "end_time": "x", "token": "t", "statecode": "s", "time": time.Now().Unix()}, nil})
	_, err = c.Login(ctx, "C", "M")
	mustCode(t, err, CodeResponseMissingField)
}

func TestQueryLineFieldsOnlyWhenSent(t *testing.T) {
	var mu sync.Mutex
	var body map[string]any
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		mu.Lock()
		defer mu.Unlock()
		return 200, body, nil
	})
	c := f.client(t, WithMaxRetries(0))
	query := func(b map[string]any) *QueryResult {
		mu.Lock()
		body = b
		mu.Unlock()
		q, err := c.Query(context.Background(), "CARD")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	q := query(map[string]any{"code": 200, "id": 1, "line": 2, "line_time": "2026-11-27 13:00:00"})
	if q.Line == nil || *q.Line != 2 || q.LineTime == nil || *q.LineTime != "2026-11-27 13:00:00" {
		t.Fatalf("sent: %+v", q)
	}
	q = query(map[string]any{"code": 200, "id": 1, "line": "0", "line_time": ""})
	if q.Line == nil || *q.Line != 0 || q.LineTime == nil || *q.LineTime != "" {
		t.Fatalf("none online: %+v", q)
	}
	q = query(map[string]any{"code": 200, "id": 1})
	if q.Line != nil || q.LineTime != nil {
		t.Fatalf("not sent: %+v", q)
	}
}

func TestDecodeT3Body(t *testing.T) {
	alpha, _ := newAlphabetCodec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcd{fghijklmnopqrstuvwx}z0123456789+/")
	for name, c := range map[string]struct {
		status int
		body   string
		codec  codec
		code   Code
	}{
		"html 502":        {502, "<html>bad gateway</html>", plainCodec{}, CodeHTTPError},
		"html 200":        {200, "<html></html>", plainCodec{}, CodeResponseInvalidJSON},
		"array":           {200, `[1,2]`, plainCodec{}, CodeResponseInvalidJSON},
		"trailing":        {200, `{"code":200} x`, plainCodec{}, CodeResponseInvalidJSON},
		"undecodable":     {200, "%%%%", alpha, CodeResponseDecodeFailed},
		"undecodable 500": {500, "%%%%", alpha, CodeHTTPError},
	} {
		_, err := decodeT3Body(&httpResponse{status: c.status, body: c.body}, c.codec)
		if !errors.Is(err, c.code) {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	// Plain JSON errors are accepted in every mode (the server may fail before it knows the codec).
	body, err := decodeT3Body(&httpResponse{status: 200, body: ` {"code":"201","msg":"签名有误"} `}, alpha)
	if err != nil || body["msg"] != "签名有误" {
		t.Fatalf("%v %v", body, err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"3": 3 * time.Second, "0.5": 500 * time.Millisecond, "-4": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("%q: %s %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "soon", "Inf"} {
		if _, ok := parseRetryAfter(bad, now); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	var f *fakeT3
	f = newFakeT3(t, func(ep string, _ int, form url.Values) (int, map[string]any, http.Header) {
		if ep == "login" {
			return 200, f.loginReply(form), nil
		}
		return 200, online(), nil
	})
	c := f.client(t, WithFallbackURLs(f.srv.URL))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, err := c.Login(context.Background(), "C", fmt.Sprintf("M%d", i))
			if err == nil {
				_, err = s.Heartbeat(context.Background())
			}
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if f.count("login") != 32 || f.count("heartbeat") != 32 {
		t.Fatalf("%d logins, %d heartbeats", f.count("login"), f.count("heartbeat"))
	}
}

func TestRetriesHonourContextAndStopAtMaxRetries(t *testing.T) {
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 503, refusal(""), http.Header{"Retry-After": {"0"}}
	})
	c := f.client(t, WithMaxRetries(2), WithFallbackURLs(f.srv.URL))
	_, err := c.Notice(context.Background())
	if !errors.Is(err, KindAPI) || f.count("notice") != 6 {
		t.Fatalf("%v after %d attempts, want 3 rounds × 2 hosts", err, f.count("notice"))
	}
	_, err = c.Login(context.Background(), "C", "M")
	if f.count("login") != 1 || err == nil {
		t.Fatalf("a login answered 503 was sent %d times", f.count("login"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	slow := f.client(t, WithMaxRetries(5))
	f.setScript(func(string, int, url.Values) (int, map[string]any, http.Header) { return 503, refusal(""), nil })
	_, err = slow.Notice(ctx)
	if !errors.Is(err, KindAborted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
}

func TestPickMACAndMachineIDs(t *testing.T) {
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	list := []net.Interface{
		{Name: "lo", Flags: net.FlagLoopback, HardwareAddr: mac("00:00:00:00:00:01")},
		{Name: "z-docker", HardwareAddr: mac("02:42:ac:11:00:02")},
		{Name: "eth1", HardwareAddr: mac("00:00:00:00:00:00")},
		{Name: "eth0", HardwareAddr: mac("3c:22:fb:00:00:01")},
	}
	if got := pickMAC(list); got != "3c:22:fb:00:00:01" {
		t.Errorf("universal MAC first: %s", got)
	}
	if got := pickMAC([]net.Interface{list[0], list[1]}); got != "02:42:ac:11:00:02" {
		t.Errorf("local MAC as a last resort: %s", got)
	}
	if parseMachineIDFile("00000000000000000000000000000000\n") != "" || parseMachineIDFile("xyz") != "" {
		t.Error("placeholder machine id accepted")
	}
	none := machineReaders{goos: "linux", readFile: func(string) string { return "" },
		run: func(string, ...string) string { return "" }, interfaces: func() []net.Interface { return nil },
		hostname: func() string { return " Box " }}
	if got := readRawMachineID(none); got != "box" {
		t.Errorf("hostname fallback: %q", got)
	}
	darwin := none
	darwin.goos = "darwin"
	darwin.run = func(string, ...string) string { return `  "IOPlatformUUID" = "564D1234-AAAA-BBBB-CCCC-1234567890AB"` }
	if got := readRawMachineID(darwin); got != "564d1234-aaaa-bbbb-cccc-1234567890ab" {
		t.Errorf("ioreg: %q", got)
	}
	windows := none
	windows.goos = "windows"
	windows.run = func(string, ...string) string {
		return "    MachineGuid    REG_SZ    3F2504E0-4F89-11D3-9A0C-0305E82C3301\r\n"
	}
	if got := readRawMachineID(windows); got != "3f2504e0-4f89-11d3-9a0c-0305e82c3301" {
		t.Errorf("registry: %q", got)
	}
}

func TestMachineCodeMatchesTheNodeSDK(t *testing.T) {
	// Expected values from @kami-verify/node's HMAC (node:crypto), so one machine gets one code in
	// every SDK.
	if got := saltedMachineCode("4c4c4544003510538052b4c04f4e3332", MachineCodeOptions{}); got != "15F604730119EFB229CDD17CFE73FA0B" {
		t.Errorf("md5: %s", got)
	}
	if got := saltedMachineCode("02:42:ac:11:00:02", MachineCodeOptions{Salt: "my-app", SHA256: true}); got != "2376EA550E0219296EE0376692EFB5989B7B9864935B411A346BF2C00F0597B6" {
		t.Errorf("sha256: %s", got)
	}
	env := func(v string) func(string) string { return func(string) string { return v } }
	if got, _ := MachineCode(MachineCodeOptions{Getenv: env(" PINNED \n")}); got != "PINNED" {
		t.Errorf("env: %q", got)
	}
	if got, _ := MachineCode(MachineCodeOptions{Override: "O", Getenv: env("E")}); got != "O" {
		t.Errorf("override: %q", got)
	}
	if _, err := MachineCode(MachineCodeOptions{Override: "it's"}); !errors.Is(err, CodeInvalidArgument) {
		t.Errorf("quote: %v", err)
	}
	a, _ := MachineCode(MachineCodeOptions{Getenv: env("")})
	b, _ := MachineCode(MachineCodeOptions{Getenv: env(""), Salt: "other"})
	if len(a) != 32 || a == b || strings.ToUpper(a) != a {
		t.Errorf("os codes %q %q", a, b)
	}
}

func TestDetachedSessionIsAnErrorNotAPanic(t *testing.T) {
	var s Session
	if _, err := s.Heartbeat(context.Background()); !errors.Is(err, KindValidation) {
		t.Fatalf("%v", err)
	}
	if _, err := s.StartHeartbeat(context.Background(), HeartbeatOptions{}); !errors.Is(err, KindValidation) {
		t.Fatalf("%v", err)
	}
}
