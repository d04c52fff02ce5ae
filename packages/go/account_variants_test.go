package kami

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

// Client-side rules of the account variants of the card calls: retried as their card route,
// arguments refused before any I/O. Protocol behaviour: variants_integration_test.go.

func TestAccountVariantsRetryAsTheirCardRoute(t *testing.T) {
	ctx := context.Background()
	calls := []struct {
		endpoint   Endpoint
		idempotent bool
		call       func(c *Client) error
	}{
		{EndpointUnbind, false, func(c *Client) error { _, err := c.UnbindUser(ctx, "u", "p", "M"); return err }},
		{EndpointIPUnbind, true, func(c *Client) error { _, err := c.IPUnbindUser(ctx, "u", "p"); return err }},
		{EndpointDisable, true, func(c *Client) error { _, err := c.DisableUser(ctx, "u", "p"); return err }},
		{EndpointModifyCore, true, func(c *Client) error { _, err := c.ModifyCoreByUser(ctx, "u", "p", "c"); return err }},
		{EndpointGetVariable, true, func(c *Client) error {
			_, err := c.GetVariableByUser(ctx, "u", "p", Variable{ID: "v"})
			return err
		}},
		{EndpointModifyVariable, true, func(c *Client) error {
			_, err := c.ModifyVariableByUser(ctx, "u", "p", "v", "x")
			return err
		}},
	}
	for _, tc := range calls {
		// The catalogue's idempotency of the route (compared with the table by the conformance
		// test) is the variant's too.
		if endpoints[tc.endpoint].idempotent != tc.idempotent {
			t.Fatalf("%s: the table says idempotent %v", tc.endpoint, endpoints[tc.endpoint].idempotent)
		}
		f := newFakeT3(t, func(_ string, n int, form url.Values) (int, map[string]any, http.Header) {
			if form.Has("kami") || form.Get("user") != "u" || form.Get("pass") != "p" {
				return 200, refusal("卡密不可为空"), nil
			}
			if n == 1 {
				return 503, map[string]any{}, nil
			}
			return 200, map[string]any{"code": "200", "msg": "ok"}, nil
		})
		err := tc.call(catalogueClient(t, f))
		want := 1
		if tc.idempotent {
			want = 2
			if err != nil {
				t.Errorf("%s variant through one 503: %v", tc.endpoint, err)
			}
		} else if err == nil {
			t.Errorf("%s variant through a 503: no error", tc.endpoint)
		}
		if got := f.count(string(tc.endpoint)); got != want {
			t.Errorf("%s variant: %d requests, want %d", tc.endpoint, got, want)
		}
	}
}

func TestAccountVariantsValidateBeforeIO(t *testing.T) {
	f := newFakeT3(t, func(string, int, url.Values) (int, map[string]any, http.Header) {
		return 200, map[string]any{"code": "200", "msg": "0"}, nil
	})
	c := catalogueClient(t, f)
	ctx := context.Background()
	calls := map[string]func() (string, error){
		"unbind_user user": func() (string, error) { _, err := c.UnbindUser(ctx, "", "p", "M"); return "user", err },
		"unbind_user pass": func() (string, error) { _, err := c.UnbindUser(ctx, "u", "", "M"); return "pass", err },
		"unbind_user imei": func() (string, error) { _, err := c.UnbindUser(ctx, "u", "p", ""); return "imei", err },
		"unbind_user imei quote": func() (string, error) {
			_, err := c.UnbindUser(ctx, "u", "p", "it's")
			return "imei", err
		},
		"ip_unbind_user user": func() (string, error) { _, err := c.IPUnbindUser(ctx, "", "p"); return "user", err },
		"ip_unbind_user pass": func() (string, error) { _, err := c.IPUnbindUser(ctx, "u", ""); return "pass", err },
		"disable_user user":   func() (string, error) { _, err := c.DisableUser(ctx, "", "p"); return "user", err },
		"disable_user pass":   func() (string, error) { _, err := c.DisableUser(ctx, "u", ""); return "pass", err },
		"modify_core_by_user pass": func() (string, error) {
			_, err := c.ModifyCoreByUser(ctx, "u", "", "c")
			return "pass", err
		},
		"get_variable_by_user user": func() (string, error) {
			_, err := c.GetVariableByUser(ctx, "", "p", Variable{ID: "v"})
			return "user", err
		},
		"modify_variable_by_user pass": func() (string, error) {
			_, err := c.ModifyVariableByUser(ctx, "u", "", "v", "x")
			return "pass", err
		},
		"modify_variable_by_user valueid": func() (string, error) {
			_, err := c.ModifyVariableByUser(ctx, "u", "p", "", "x")
			return "valueid", err
		},
	}
	for name, call := range calls {
		field, err := call()
		e, ok := err.(*Error)
		if !ok || e.Code != CodeInvalidArgument || e.Field != field {
			t.Errorf("%s: %v, want INVALID_ARGUMENT of %s", name, err, field)
		}
	}
	for ep := range endpoints {
		if n := f.count(string(ep)); n != 0 {
			t.Errorf("%s: %d requests after refused arguments", ep, n)
		}
	}
	// Empty core and valuecontent are values, sent as such.
	if _, err := c.ModifyCoreByUser(ctx, "u", "p", ""); err != nil {
		t.Errorf("empty core: %v", err)
	}
	if _, err := c.ModifyVariableByUser(ctx, "u", "p", "v", ""); err != nil {
		t.Errorf("empty valuecontent: %v", err)
	}
}
