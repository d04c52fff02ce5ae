package kami

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// Client-side rules of the catalogue calls: retries follow the catalogue's idempotency, bad
// arguments fail before any I/O, malformed counts are typed errors. Protocol behaviour is tested
// against the real server (card_integration_test.go, account_integration_test.go).

// catalogueClient is a client of f whose routes name every endpoint of the table.
func catalogueClient(t *testing.T, f *fakeT3, opts ...Option) *Client {
	routes := Routes{}
	for ep := range endpoints {
		routes[ep] = "/" + string(ep)
	}
	c, err := New(f.srv.URL, f.appKey, routes, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestCatalogueCallsRetryOnlyIdempotentOnes(t *testing.T) {
	f := newFakeT3(t, func(endpoint string, n int, _ url.Values) (int, map[string]any, http.Header) {
		if n == 1 {
			return 503, map[string]any{}, nil
		}
		return 200, map[string]any{"code": "200", "msg": "ok"}, nil
	})
	c := catalogueClient(t, f)
	ctx := context.Background()
	idempotent := map[Endpoint]func() error{
		EndpointIPUnbind:       func() error { _, err := c.IPUnbind(ctx, "K"); return err },
		EndpointDisable:        func() error { _, err := c.Disable(ctx, "K"); return err },
		EndpointGetKamiCore:    func() error { _, err := c.GetKamiCore(ctx, "K"); return err },
		EndpointModifyCore:     func() error { _, err := c.ModifyCore(ctx, "K", "c"); return err },
		EndpointGetVariable:    func() error { _, err := c.GetVariable(ctx, "K", Variable{ID: "v"}); return err },
		EndpointModifyVariable: func() error { _, err := c.ModifyVariable(ctx, "K", "v", "x"); return err },
		EndpointHeartbeatAny:   func() error { _, err := c.HeartbeatAny(ctx, "S"); return err },
		EndpointAppSign:        func() error { _, err := c.AppSign(ctx, "A"); return err },
		EndpointGetUserCore:    func() error { _, err := c.GetUserCore(ctx, "u", "p"); return err },
	}
	for ep, call := range idempotent {
		if err := call(); err != nil {
			t.Errorf("%s through one 503: %v", ep, err)
		}
		if got := f.count(string(ep)); got != 2 {
			t.Errorf("%s: %d requests, want 2", ep, got)
		}
	}
	once := map[Endpoint]func() error{
		EndpointKamiRecharge:   func() error { _, err := c.KamiRecharge(ctx, "T", "S"); return err },
		EndpointRegister:       func() error { _, err := c.Register(ctx, "u", "p", ""); return err },
		EndpointUserLogin:      func() error { _, err := c.UserLogin(ctx, "u", "p", "M"); return err },
		EndpointRecharge:       func() error { _, err := c.Recharge(ctx, "u", "C"); return err },
		EndpointChangePassword: func() error { _, err := c.ChangePassword(ctx, "u", "p", "q"); return err },
		EndpointUserCancel:     func() error { _, err := c.UserCancel(ctx, "u", "p"); return err },
	}
	for ep, call := range once {
		if err := call(); err == nil {
			t.Errorf("%s through a 503: no error", ep)
		}
		if got := f.count(string(ep)); got != 1 {
			t.Errorf("%s: %d requests, want 1 (never resent)", ep, got)
		}
	}
}

func TestCatalogueCallsValidateBeforeIO(t *testing.T) {
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 200, map[string]any{"code": "200", "msg": "0"}, nil
	})
	c := catalogueClient(t, f)
	ctx := context.Background()
	calls := map[string]func() error{
		"kami_recharge target":    func() error { _, err := c.KamiRecharge(ctx, "", "S"); return err },
		"kami_recharge source":    func() error { _, err := c.KamiRecharge(ctx, "T", ""); return err },
		"ip_unbind":               func() error { _, err := c.IPUnbind(ctx, ""); return err },
		"disable":                 func() error { _, err := c.Disable(ctx, ""); return err },
		"get_kami_core":           func() error { _, err := c.GetKamiCore(ctx, ""); return err },
		"modify_core":             func() error { _, err := c.ModifyCore(ctx, "", "c"); return err },
		"heartbeat_any":           func() error { _, err := c.HeartbeatAny(ctx, ""); return err },
		"app_sign":                func() error { _, err := c.AppSign(ctx, ""); return err },
		"get_variable":            func() error { _, err := c.GetVariable(ctx, "", Variable{ID: "v"}); return err },
		"modify_variable kami":    func() error { _, err := c.ModifyVariable(ctx, "", "v", "x"); return err },
		"modify_variable id":      func() error { _, err := c.ModifyVariable(ctx, "K", "", "x"); return err },
		"register pass":           func() error { _, err := c.Register(ctx, "u", "", ""); return err },
		"user_login user":         func() error { _, err := c.UserLogin(ctx, "", "p", "M"); return err },
		"user_heartbeat user":     func() error { _, err := c.UserHeartbeat(ctx, "", "p", "S"); return err },
		"recharge user":           func() error { _, err := c.Recharge(ctx, "", "C"); return err },
		"change_password oldpass": func() error { _, err := c.ChangePassword(ctx, "u", "", "q"); return err },
		"user_cancel pass":        func() error { _, err := c.UserCancel(ctx, "u", ""); return err },
		"get_user_core user":      func() error { _, err := c.GetUserCore(ctx, "", "p"); return err },
	}
	for name, call := range calls {
		if err := call(); CodeOf(err) != CodeInvalidArgument {
			t.Errorf("%s: %v, want INVALID_ARGUMENT", name, err)
		}
	}
	for ep := range endpoints {
		if n := f.count(string(ep)); n != 0 {
			t.Errorf("%s: %d requests after refused arguments", ep, n)
		}
	}
}

func TestOnlineCountsAreNumbers(t *testing.T) {
	msg := "3"
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 200, map[string]any{"code": 200, "msg": msg}, nil
	})
	c := catalogueClient(t, f)
	ctx := context.Background()
	if r, err := c.OnlineKami(ctx); err != nil || r.Count != 3 {
		t.Fatalf("online_kami: %+v %v", r, err)
	}
	if r, err := c.OnlineUser(ctx); err != nil || r.Count != 3 {
		t.Fatalf("online_user: %+v %v", r, err)
	}
	for _, bad := range []string{"many", "1.5", "-1"} {
		msg = bad
		if _, err := c.OnlineKami(ctx); CodeOf(err) != CodeResponseMissingField {
			t.Errorf("msg %q: %v, want RESPONSE_MISSING_FIELD", bad, err)
		}
	}
}

func TestCatalogueCallsWithoutRouteFailTyped(t *testing.T) {
	c, err := New("http://127.0.0.1:9", "k", Routes{EndpointLogin: "/login", "cloud_doc": "/cloud_doc"})
	if err != nil {
		t.Fatalf("a route map naming endpoints without a method is accepted: %v", err)
	}
	_, err = c.OnlineUser(context.Background())
	if CodeOf(err) != CodeInvalidArgument {
		t.Fatalf("%v", err)
	}
	if e := err.(*Error); e.Field != "routes.online_user" {
		t.Fatalf("field %q", e.Field)
	}
}
