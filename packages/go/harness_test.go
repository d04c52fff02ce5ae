package kami

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The integration tests drive real reference servers through the repository's test harness
// (apps/server/dist/test-harness.js, docs/server.md#test-harness), started once on first use and
// stopped by TestMain.

// controlClient keeps no idle connections, so the goroutine leak checks see only the SDK's.
var controlClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

var (
	harnessOnce sync.Once
	harnessURL  string
	harnessErr  error
	harnessStop = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	harnessStop()
	os.Exit(code)
}

// startHarness starts the harness on first use (fuzz workers and unit-only runs never pay for it).
func startHarness() (string, error) {
	harnessOnce.Do(func() {
		script, _ := filepath.Abs(filepath.Join("..", "..", "apps", "server", "dist", "test-harness.js"))
		if _, err := os.Stat(script); err != nil {
			harnessErr = fmt.Errorf("%s is missing: run `npm run build` at the repository root", script)
			return
		}
		cmd := exec.Command("node", script)
		stdin, _ := cmd.StdinPipe() // the harness exits when this pipe closes, even if we are killed
		stdout, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if harnessErr = cmd.Start(); harnessErr != nil {
			return
		}
		harnessStop = func() {
			_ = stdin.Close()
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
			}
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "http://") {
			harnessErr = fmt.Errorf("the test harness printed %q: %v", line, err)
			return
		}
		harnessURL = strings.TrimSpace(line)
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
	})
	return harnessURL, harnessErr
}

type harnessApp struct {
	AppKey   string `json:"appKey"`
	AskKey   string `json:"askKey"`
	Routes   Routes `json:"routes"`
	Encoding struct {
		Mode      string `json:"mode"`
		Alphabet  string `json:"alphabet"`
		PublicKey string `json:"publicKey"`
	} `json:"encoding"`
	Settings map[string]any `json:"settings"`
}

type testServer struct {
	t          testing.TB
	ID         string     `json:"id"`
	URL        string     `json:"url"`
	App        harnessApp `json:"app"`
	PotatoUser struct {
		UserNumber string `json:"userNumber"`
		PassWord   string `json:"passWord"`
	} `json:"potatoUser"`
	PotatoSignSecret string       `json:"potatoSignSecret"`
	offset           atomic.Int64 // the server clock's advance, mirrored by clients' WithClock
}

func harness(t testing.TB, method, path string, body any, into any) {
	t.Helper()
	base, err := startHarness()
	if err != nil {
		t.Fatal(err)
	}
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, base+path, reader)
	req.Header.Set("Content-Type", "application/json")
	resp, err := controlClient.Do(req)
	if err != nil {
		t.Fatalf("harness %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("harness %s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if into != nil {
		if err := json.Unmarshal(data, into); err != nil {
			t.Fatalf("harness %s %s: %v", method, path, err)
		}
	}
}

var (
	sharedMu     sync.Mutex
	sharedServer *testServer
)

// sharedPlainServer is one default (plain) server for the tests that neither move its clock nor
// stop it nor change its settings: starting a server costs seconds.
func sharedPlainServer(t testing.TB) *testServer {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedServer == nil {
		s := &testServer{}
		harness(t, "POST", "/servers", map[string]any{}, s)
		sharedServer = s // removed with the harness at exit
	}
	s := &testServer{t: t, ID: sharedServer.ID, URL: sharedServer.URL, App: sharedServer.App,
		PotatoUser: sharedServer.PotatoUser, PotatoSignSecret: sharedServer.PotatoSignSecret}
	return s
}

// startServer creates a real server; body is the harness's POST /servers body.
func startServer(t testing.TB, body map[string]any) *testServer {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	s := &testServer{t: t}
	harness(t, "POST", "/servers", body, s)
	t.Cleanup(func() { harness(t, "DELETE", "/servers/"+s.ID, nil, nil) })
	return s
}

func (s *testServer) card(body map[string]any) string {
	s.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	var out struct{ CardStr string }
	harness(s.t, "POST", "/servers/"+s.ID+"/cards", body, &out)
	return out.CardStr
}

func (s *testServer) cardAction(card, action string) {
	s.t.Helper()
	harness(s.t, "POST", "/servers/"+s.ID+"/cards/"+card+"/"+action, nil, nil)
}

func (s *testServer) control(action string) {
	s.t.Helper()
	harness(s.t, "POST", "/servers/"+s.ID+"/"+action, nil, nil)
}

func (s *testServer) advance(d time.Duration) {
	s.t.Helper()
	harness(s.t, "POST", "/servers/"+s.ID+"/clock", map[string]any{"advanceMs": d.Milliseconds()}, nil)
	s.offset.Add(int64(d))
}

func (s *testServer) clock() time.Time { return time.Now().Add(time.Duration(s.offset.Load())) }

func (s *testServer) encoding() Encoding {
	switch s.App.Encoding.Mode {
	case "base64":
		return Base64(s.App.Encoding.Alphabet)
	case "rsa":
		return RSA(s.App.Encoding.PublicKey)
	}
	return Plain()
}

// client builds a client for the server's app; extra options come last and win.
func (s *testServer) client(opts ...Option) *Client {
	s.t.Helper()
	return s.clientAt(s.URL, opts...)
}

func (s *testServer) clientAt(baseURL string, opts ...Option) *Client {
	s.t.Helper()
	all := append([]Option{WithEncoding(s.encoding()), WithClock(s.clock), WithTimeout(5 * time.Second)}, opts...)
	c, err := New(baseURL, s.App.AppKey, s.App.Routes, all...)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(c.Close)
	return c
}
