package kami

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeT3 is a scripted plain-mode T3 server for unit tests of the client's own logic (retries,
// the heartbeat loop's policy). Protocol behaviour is tested against the real server.
type fakeT3 struct {
	mu     sync.Mutex
	calls  map[string]int
	script func(endpoint string, n int, form url.Values) (status int, body map[string]any, header http.Header)
	srv    *httptest.Server
	appKey string
}

var fakeRoutes = Routes{EndpointLogin: "/login", EndpointHeartbeat: "/heartbeat", EndpointQuery: "/query",
	EndpointUnbind: "/unbind", EndpointNotice: "/notice", EndpointVersion: "/version", EndpointCheckUpdate: "/check_update"}

func newFakeT3(t *testing.T, script func(endpoint string, n int, form url.Values) (int, map[string]any, http.Header)) *fakeT3 {
	f := &fakeT3{calls: map[string]int{}, script: script, appKey: "fake-app-key"}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		endpoint := r.URL.Path[1:]
		f.mu.Lock()
		f.calls[endpoint]++
		n := f.calls[endpoint]
		script := f.script
		f.mu.Unlock()
		status, body, header := script(endpoint, n, r.PostForm)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeT3) setScript(script func(endpoint string, n int, form url.Values) (int, map[string]any, http.Header)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = script
}

func (f *fakeT3) count(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[endpoint]
}

func (f *fakeT3) client(t *testing.T, opts ...Option) *Client {
	c, err := New(f.srv.URL, f.appKey, fakeRoutes, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func online() map[string]any {
	return map[string]any{"code": "200", "msg": MsgHeartbeatOnline, "time": time.Now().Unix(), "date": formatBeijingMinute(time.Now())}
}

func refusal(msg string) map[string]any { return map[string]any{"code": "201", "msg": msg} }

// loginReply is a valid login reply for the request's safe_code, signed with the basic formula.
func (f *fakeT3) loginReply(form url.Values) map[string]any {
	now := time.Now()
	endTime, date, ts := "2099-12-31 23:59:59", formatBeijingMinute(now), strconv.FormatInt(now.Unix(), 10)
	token := loginToken("7", f.appKey, "", endTime, date)
	return map[string]any{"code": "200", "id": 7, "end_time": endTime, "amount": "永久卡", "available": 1,
		"token": token, "statecode": statecodeOf(token, ts), "safe_code": form.Get("safe_code"),
		"time": json.Number(ts), "date": date, "imei": form.Get("imei"), "change": 0, "core": ""}
}

// checkLeaks fails the test if goroutines started during it outlive it. Registered first, it
// runs after every other cleanup (servers closed, clients closed).
func checkLeaks(t *testing.T) {
	current := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, current) })
}
