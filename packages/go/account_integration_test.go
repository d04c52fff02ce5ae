package kami

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// The account family (账号模式) against the real server, in plain mode and in an encoded one:
// every call's success, its documented errors, and user_login's token check.

var userSeq atomic.Int64

func uniqueUser() string { return fmt.Sprintf("gosdk_%d", userSeq.Add(1)) }

func TestIntegrationAccountLifecycle(t *testing.T) {
	forEachMode(t, nil, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		user := uniqueUser()
		before, err := c.OnlineUser(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Register(ctx, user, "secret-1", "me@example.com")
		if err != nil || r.Msg != MsgRegisterOK {
			t.Fatalf("register: %+v %v", r, err)
		}
		if r, err = c.Recharge(ctx, user, srv.card(map[string]any{"type": 0})); err != nil || r.Msg != MsgRechargeOK {
			t.Fatalf("recharge: %+v %v", r, err)
		}
		login, err := c.UserLogin(ctx, user, "secret-1", "GO-DEVICE")
		if err != nil {
			t.Fatal(err)
		}
		if login.Recharge != 1 || login.IMEI != "GO-DEVICE" || login.Change != 0 || login.Core != "" ||
			login.Available < 86_000 || len(login.Statecode) != 32 || len(login.Token) != 32 ||
			login.ExpiresAt.IsZero() || login.UseTime == "" || login.SignText == "" {
			t.Fatalf("user_login: %+v", login)
		}
		hb, err := c.UserHeartbeat(ctx, user, "secret-1", login.Statecode)
		if err != nil || hb.Msg != MsgHeartbeatOnline || hb.Time == 0 {
			t.Fatalf("user_heartbeat: %+v %v", hb, err)
		}
		if hb, err = c.HeartbeatAny(ctx, login.Statecode); err != nil || hb.Msg != MsgHeartbeatOnline {
			t.Fatalf("heartbeat_any of an account session: %+v %v", hb, err)
		}
		core, err := c.GetUserCore(ctx, user, "secret-1")
		if err != nil || core.Core != "" {
			t.Fatalf("get_user_core: %+v %v", core, err)
		}
		online, err := c.OnlineUser(ctx)
		if err != nil || online.Count != before.Count+1 {
			t.Fatalf("online_user: %+v %v (before %d)", online, err, before.Count)
		}
		if r, err = c.ChangePassword(ctx, user, "secret-1", "secret-2"); err != nil || r.Msg != MsgPasswordChanged {
			t.Fatalf("change_password: %+v %v", r, err)
		}
		_, err = c.UserHeartbeat(ctx, user, "secret-2", login.Statecode)
		mustCode(t, err, CodeStatecodeNotFound)
		if online, err = c.OnlineUser(ctx); err != nil || online.Count != before.Count {
			t.Fatalf("online_user after change_password: %+v %v (before %d)", online, err, before.Count)
		}
		_, err = c.GetUserCore(ctx, user, "secret-1")
		mustCode(t, err, CodeUserLoginFailed)
		_, err = c.UserCancel(ctx, user, "secret-1")
		mustCode(t, err, CodeUserLoginFailed)
		if r, err = c.UserCancel(ctx, user, "secret-2"); err != nil || r.Msg != MsgUserCancelled {
			t.Fatalf("user_cancel: %+v %v", r, err)
		}
		_, err = c.UserLogin(ctx, user, "secret-2", "GO-DEVICE")
		mustCode(t, err, CodeUserLoginFailed)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindAPI || e.ServerMessage != "账号或密码错误" {
			t.Fatalf("error %+v", e)
		}
	})
}

func TestIntegrationAccountErrors(t *testing.T) {
	forEachMode(t, nil, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		user := uniqueUser()
		if _, err := c.Register(ctx, user, "secret-1", ""); err != nil {
			t.Fatal(err)
		}
		_, err := c.Register(ctx, user, "secret-1", "")
		mustCode(t, err, CodeUserExists)
		_, err = c.Register(ctx, uniqueUser(), "secret-1", "not-an-email")
		mustCode(t, err, CodeEmailInvalid)
		_, err = c.Register(ctx, uniqueUser(), "pw", "")
		mustCode(t, err, CodePasswordInvalid)
		_, err = c.UserLogin(ctx, user, "secret-1", "D1")
		mustCode(t, err, CodeUserNotRecharged)
		_, err = c.UserLogin(ctx, user, "wrong", "D1")
		mustCode(t, err, CodeUserLoginFailed)

		card := srv.card(map[string]any{"type": 5})
		_, err = c.Recharge(ctx, "no_such_user_"+user, card)
		mustCode(t, err, CodeUserNotFound)
		if _, err := c.Recharge(ctx, user, card); err != nil {
			t.Fatal(err)
		}
		_, err = c.Recharge(ctx, user, card)
		mustCode(t, err, CodeCardAlreadyUsed)
		_, err = c.Recharge(ctx, user, "NO-SUCH-CARD")
		mustCode(t, err, CodeCardNotFound)

		if _, err := c.UserLogin(ctx, user, "secret-1", "D1"); err != nil {
			t.Fatal(err)
		}
		_, err = c.UserLogin(ctx, user, "secret-1", "D2")
		mustCode(t, err, CodeDeviceMismatch)
		_, err = c.ChangePassword(ctx, user, "wrong", "secret-2")
		mustCode(t, err, CodeUserLoginFailed)
		_, err = c.UserHeartbeat(ctx, user, "secret-1", strings.Repeat("0", 32))
		mustCode(t, err, CodeStatecodeNotFound)

		// Refused before any I/O.
		for _, call := range []func() error{
			func() error { _, err := c.Register(ctx, "", "p", ""); return err },
			func() error { _, err := c.UserLogin(ctx, user, "", "D1"); return err },
			func() error { _, err := c.UserLogin(ctx, user, "p", "it's"); return err },
			func() error { _, err := c.Recharge(ctx, user, ""); return err },
			func() error { _, err := c.ChangePassword(ctx, user, "p", ""); return err },
			func() error { _, err := c.UserCancel(ctx, "", "p"); return err },
			func() error { _, err := c.GetUserCore(ctx, user, ""); return err },
			func() error { _, err := c.UserHeartbeat(ctx, user, "p", ""); return err },
		} {
			mustCode(t, call(), CodeInvalidArgument)
		}
	})
}

// TestIntegrationUserLoginTokenChecks: user_login's reply is verified like a card login's; a
// tampered token or statecode is refused, and the two-way formula is accepted.
func TestIntegrationUserLoginTokenChecks(t *testing.T) {
	srv := sharedPlainServer(t)
	ctx := context.Background()
	good := srv.client()
	user := uniqueUser()
	if _, err := good.Register(ctx, user, "secret-1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := good.Recharge(ctx, user, srv.card(map[string]any{"type": 5})); err != nil {
		t.Fatal(err)
	}
	route := srv.App.Routes[EndpointUserLogin]
	tamper := func(field string) *Client {
		proxy, _ := proxyTo(t, srv.URL, func(r *http.Request, status int, body string) (int, string) {
			b, ok := parseJSON(body)
			m, isMap := b.(map[string]any)
			if !strings.HasSuffix(r.URL.Path, route) || !ok || !isMap || m[field] == nil {
				return status, body
			}
			old := fieldText(m[field])
			flipped := "a" + old[1:]
			if old[0] == 'a' {
				flipped = "b" + old[1:]
			}
			return status, strings.Replace(body, old, flipped, 1)
		})
		return srv.clientAt(proxy)
	}
	_, err := tamper("token").UserLogin(ctx, user, "secret-1", "D")
	mustCode(t, err, CodeTokenMismatch)
	if !errors.Is(err, KindVerification) {
		t.Fatalf("kind of %v", err)
	}
	_, err = tamper("statecode").UserLogin(ctx, user, "secret-1", "D")
	mustCode(t, err, CodeStatecodeMismatch)
	if _, err := srv.client(WithTokenCheck(TokenOff)).UserLogin(ctx, user, "secret-1", "D"); err != nil {
		t.Fatalf("token check off: %v", err)
	}
	// Each formula on a server whose settings pin it, whatever its loginToken 'auto' rule does:
	// loginToken 'basic', and two-way signing (the signed formula under 'auto'). The default
	// TokenAuto accepts both.
	for _, tc := range []struct {
		name     string
		settings map[string]any
		accepts  TokenCheck
		refuses  TokenCheck
	}{
		{"basic", map[string]any{"loginToken": "basic"}, TokenBasic, TokenSigned},
		{"signed", map[string]any{"signatureCheck": "two-way"}, TokenSigned, TokenBasic},
	} {
		s := startServer(t, map[string]any{"settings": tc.settings})
		if _, err := s.client().Register(ctx, user, "secret-1", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.client().Recharge(ctx, user, s.card(map[string]any{"type": 5})); err != nil {
			t.Fatal(err)
		}
		login, err := s.client().UserLogin(ctx, user, "secret-1", "D")
		if err != nil {
			t.Fatalf("%s server, TokenAuto: %v", tc.name, err)
		}
		signText := ""
		if tc.accepts == TokenSigned {
			signText = login.SignText
		}
		if loginToken(login.ID, s.App.AppKey, signText, login.EndTime, login.Date) != strings.ToLower(login.Token) {
			t.Fatalf("%s server: token %s is not the %s formula's", tc.name, login.Token, tc.name)
		}
		if _, err := s.client(WithTokenCheck(tc.accepts)).UserLogin(ctx, user, "secret-1", "D"); err != nil {
			t.Fatalf("%s server, its own formula: %v", tc.name, err)
		}
		_, err = s.client(WithTokenCheck(tc.refuses)).UserLogin(ctx, user, "secret-1", "D")
		mustCode(t, err, CodeTokenMismatch)
	}
}
