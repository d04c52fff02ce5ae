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
	// With signatureCheck "on" the server's user_login token is the basic formula (its loginToken
	// setting applies to card logins only: see the report), with "two-way" the signed one; the
	// default TokenAuto accepts both.
	if _, err := srv.client(WithTokenCheck(TokenBasic)).UserLogin(ctx, user, "secret-1", "D"); err != nil {
		t.Fatalf("basic formula: %v", err)
	}
	_, err = srv.client(WithTokenCheck(TokenSigned)).UserLogin(ctx, user, "secret-1", "D")
	mustCode(t, err, CodeTokenMismatch)

	twoWay := startServer(t, map[string]any{"settings": map[string]any{"signatureCheck": "two-way"}})
	if _, err := twoWay.client().Register(ctx, user, "secret-1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := twoWay.client().Recharge(ctx, user, twoWay.card(map[string]any{"type": 5})); err != nil {
		t.Fatal(err)
	}
	login, err := twoWay.client().UserLogin(ctx, user, "secret-1", "D")
	if err != nil {
		t.Fatalf("auto, two-way server: %v", err)
	}
	if loginToken(login.ID, twoWay.App.AppKey, login.SignText, login.EndTime, login.Date) != strings.ToLower(login.Token) {
		t.Fatalf("token %s is not the two-way formula's", login.Token)
	}
	if _, err := twoWay.client(WithTokenCheck(TokenSigned)).UserLogin(ctx, user, "secret-1", "D"); err != nil {
		t.Fatalf("signed formula: %v", err)
	}
	_, err = twoWay.client(WithTokenCheck(TokenBasic)).UserLogin(ctx, user, "secret-1", "D")
	mustCode(t, err, CodeTokenMismatch)
}
