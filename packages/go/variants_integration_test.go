package kami

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// The card calls made with an account (t3sdk's *_user variants) against the real server, in
// plain mode and in an encoded one: each call's success and its documented errors.

// variantSettings: accounts bind their IP; a small core limit; a writable and a read-only
// variable.
var variantSettings = map[string]any{
	"ipBinding":    "ip",
	"coreMaxBytes": 8,
	"variables": []map[string]any{
		{"id": "v", "name": "变量", "value": "start", "writable": true},
		{"id": "ro", "name": "只读", "value": "fixed"},
	},
}

const variantPass = "secret-1"

// variantAccount registers an account, recharges a day card into it and logs it in from DEV-1
// (binding the device and the IP).
func variantAccount(t *testing.T, srv *testServer, c *Client) (user string, login *UserLoginResult) {
	t.Helper()
	ctx := context.Background()
	user = uniqueUser()
	if _, err := c.Register(ctx, user, variantPass, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recharge(ctx, user, srv.card(map[string]any{"type": 0})); err != nil {
		t.Fatal(err)
	}
	login, err := c.UserLogin(ctx, user, variantPass, "DEV-1")
	if err != nil {
		t.Fatal(err)
	}
	return user, login
}

// mustServerMessage: err is the typed API error of code, carrying the server's text.
func mustServerMessage(t *testing.T, err error, code Code, text string) {
	t.Helper()
	mustCode(t, err, code)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindAPI || e.ServerMessage != text {
		t.Fatalf("error %+v, want %s with server message %s", e, code, text)
	}
}

func TestIntegrationUnbindUserAndIPUnbindUser(t *testing.T) {
	forEachMode(t, variantSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		user, _ := variantAccount(t, srv, c)

		_, err := c.UnbindUser(ctx, user, variantPass, "DEV-2")
		mustServerMessage(t, err, CodeDeviceMismatch, "请在原设备登录")
		_, err = c.UnbindUser(ctx, user, "wrong-pw", "DEV-1")
		mustServerMessage(t, err, CodeUserLoginFailed, "账号或密码错误")
		r, err := c.UnbindUser(ctx, user, variantPass, "DEV-1")
		if err != nil || r.Msg != MsgUnbindOK || fieldInt(r.Raw["change"]) != 1 {
			t.Fatalf("unbind_user: %+v %v", r, err)
		}
		_, err = c.UnbindUser(ctx, user, variantPass, "DEV-1")
		mustServerMessage(t, err, CodeUserNotBound, "账号未绑定设备")
		// The device is free: another one logs in, and the unbind was counted.
		login, err := c.UserLogin(ctx, user, variantPass, "DEV-2")
		if err != nil || login.Change != 1 {
			t.Fatalf("user_login from another device after unbind_user: %+v %v", login, err)
		}

		_, err = c.IPUnbindUser(ctx, user, "wrong-pw")
		mustServerMessage(t, err, CodeUserLoginFailed, "账号或密码错误")
		if r, err = c.IPUnbindUser(ctx, user, variantPass); err != nil || r.Msg != MsgIPUnbindOK {
			t.Fatalf("ip_unbind_user: %+v %v", r, err)
		}
		_, err = c.IPUnbindUser(ctx, user, variantPass)
		mustServerMessage(t, err, CodeUserIPNotBound, "账号未绑定IP")
		_, err = c.IPUnbindUser(ctx, "no_such_"+user, variantPass)
		mustCode(t, err, CodeUserLoginFailed)

		// The same routes still serve the card calls.
		card := srv.card(nil)
		if _, err := c.Login(ctx, card, "CARD-1"); err != nil {
			t.Fatal(err)
		}
		if r, err = c.IPUnbind(ctx, card); err != nil || r.Msg != MsgIPUnbindOK {
			t.Fatalf("ip_unbind of a card on the shared route: %+v %v", r, err)
		}
		if r, err = c.Unbind(ctx, card, "CARD-1"); err != nil || r.Msg != MsgUnbindOK {
			t.Fatalf("unbind of a card on the shared route: %+v %v", r, err)
		}
	})
}

func TestIntegrationModifyCoreByUserAndVariablesByUser(t *testing.T) {
	forEachMode(t, variantSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		user, _ := variantAccount(t, srv, c)

		r, err := c.ModifyCoreByUser(ctx, user, variantPass, "核心")
		if err != nil || r.Msg != MsgModifyOK {
			t.Fatalf("modify_core_by_user: %+v %v", r, err)
		}
		if core, err := c.GetUserCore(ctx, user, variantPass); err != nil || core.Core != "核心" {
			t.Fatalf("get_user_core after modify_core_by_user: %+v %v", core, err)
		}
		_, err = c.ModifyCoreByUser(ctx, user, variantPass, "九个字节超了") // coreMaxBytes 8
		mustServerMessage(t, err, CodeDataTooLong, "数据长度超出限制")
		_, err = c.ModifyCoreByUser(ctx, user, "wrong-pw", "x")
		mustServerMessage(t, err, CodeUserLoginFailed, "账号或密码错误")
		if core, err := c.GetUserCore(ctx, user, variantPass); err != nil || core.Core != "核心" {
			t.Fatalf("get_user_core after refused writes: %+v %v", core, err)
		}

		v, err := c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "v", Name: "变量"})
		if err != nil || v.Value != "start" {
			t.Fatalf("get_variable_by_user: %+v %v", v, err)
		}
		if r, err = c.ModifyVariableByUser(ctx, user, variantPass, "v", "账号写的 & x=1"); err != nil || r.Msg != MsgModifyOK {
			t.Fatalf("modify_variable_by_user: %+v %v", r, err)
		}
		if v, err = c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "v"}); err != nil || v.Value != "账号写的 & x=1" {
			t.Fatalf("get_variable_by_user after modify: %+v %v", v, err)
		}
		// A card reads what the account wrote: one variable per app.
		if v, err = c.GetVariable(ctx, srv.card(nil), Variable{ID: "v"}); err != nil || v.Value != "账号写的 & x=1" {
			t.Fatalf("get_variable by card: %+v %v", v, err)
		}
		_, err = c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "missing"})
		mustServerMessage(t, err, CodeVariableNotFound, "变量不存在")
		_, err = c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "v", Name: "另一个"})
		mustCode(t, err, CodeVariableNotFound)
		_, err = c.ModifyVariableByUser(ctx, user, variantPass, "missing", "x")
		mustServerMessage(t, err, CodeVariableNotFound, "变量不存在")
		_, err = c.ModifyVariableByUser(ctx, user, variantPass, "ro", "x")
		mustCode(t, err, CodeVariableReadOnly)
		_, err = c.GetVariableByUser(ctx, user, "wrong-pw", Variable{ID: "v"})
		mustServerMessage(t, err, CodeUserLoginFailed, "账号或密码错误")
		_, err = c.ModifyVariableByUser(ctx, user, "wrong-pw", "v", "x")
		mustCode(t, err, CodeUserLoginFailed)

		// An account that never recharged has no term: 账号未充值.
		fresh := uniqueUser()
		if _, err := c.Register(ctx, fresh, variantPass, ""); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetVariableByUser(ctx, fresh, variantPass, Variable{ID: "v"})
		mustServerMessage(t, err, CodeUserNotRecharged, "账号未充值")
		_, err = c.ModifyVariableByUser(ctx, fresh, variantPass, "v", "x")
		mustServerMessage(t, err, CodeUserNotRecharged, "账号未充值")

		// Past its day card's term: 账号已到期.
		srv.advance(day + time.Hour)
		_, err = c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "v"})
		mustServerMessage(t, err, CodeUserExpired, "账号已到期")
		_, err = c.ModifyVariableByUser(ctx, user, variantPass, "v", "x")
		mustCode(t, err, CodeUserExpired)
	})
}

func TestIntegrationDisableUser(t *testing.T) {
	forEachMode(t, variantSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		user, login := variantAccount(t, srv, c)

		_, err := c.DisableUser(ctx, user, "wrong-pw")
		mustServerMessage(t, err, CodeUserLoginFailed, "账号或密码错误")
		r, err := c.DisableUser(ctx, user, variantPass)
		if err != nil || r.Msg != MsgDisableOK {
			t.Fatalf("disable_user: %+v %v", r, err)
		}
		// Its sessions ended; every call with the account answers 账号被禁用.
		_, err = c.UserHeartbeat(ctx, user, variantPass, login.Statecode)
		mustCode(t, err, CodeStatecodeNotFound)
		_, err = c.UserLogin(ctx, user, variantPass, "DEV-1")
		mustServerMessage(t, err, CodeUserDisabled, "账号被禁用")
		for name, call := range map[string]func() error{
			"disable_user":            func() error { _, err := c.DisableUser(ctx, user, variantPass); return err },
			"unbind_user":             func() error { _, err := c.UnbindUser(ctx, user, variantPass, "DEV-1"); return err },
			"ip_unbind_user":          func() error { _, err := c.IPUnbindUser(ctx, user, variantPass); return err },
			"modify_core_by_user":     func() error { _, err := c.ModifyCoreByUser(ctx, user, variantPass, "x"); return err },
			"get_variable_by_user":    func() error { _, err := c.GetVariableByUser(ctx, user, variantPass, Variable{ID: "v"}); return err },
			"modify_variable_by_user": func() error { _, err := c.ModifyVariableByUser(ctx, user, variantPass, "v", "x"); return err },
		} {
			if err := call(); CodeOf(err) != CodeUserDisabled {
				t.Errorf("%s of a disabled account: %v, want USER_DISABLED", name, err)
			}
		}
	})
}

// TestIntegrationUnbindUserRace: parallel unbinds with the right device free it once; the others
// are typed 账号未绑定设备 refusals.
func TestIntegrationUnbindUserRace(t *testing.T) {
	srv := startServer(t, map[string]any{"settings": variantSettings})
	c := srv.client()
	user, _ := variantAccount(t, srv, c)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = c.UnbindUser(context.Background(), user, variantPass, "DEV-1")
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, CodeUserNotBound):
			t.Errorf("unbind %d: %v, want USER_NOT_BOUND", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d unbinds succeeded, want 1", won)
	}
	login, err := c.UserLogin(context.Background(), user, variantPass, "DEV-2")
	if err != nil || login.Change != 1 {
		t.Fatalf("after the race: %+v %v", login, err)
	}
}
