package kami

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// The card and app calls beyond login against the real server, in plain mode and in an encoded
// one: each call's success and its documented errors.

// cardAppSettings: an app whose cards bind their IP, with signatures, a small core limit and
// cloud variables.
var cardAppSettings = map[string]any{
	"ipBinding":     "exact",
	"appSignatures": []string{"SIG-1"},
	"coreMaxBytes":  16,
	"version":       "3.0.0",
	"ver":           "三代",
	"update":        map[string]any{"version": "3.1.0", "ver": "三代改", "uplog": "修复", "upurl": "https://example.com/app"},
	"variables": []map[string]any{
		{"id": "v", "name": "变量", "value": "start", "writable": true},
		{"id": "ro", "name": "只读", "value": "fixed"},
	},
}

// encodedModes: every new call runs in plain mode and in an encoded one.
var encodedModes = []string{"plain", "base64"}

func forEachMode(t *testing.T, settings map[string]any, test func(t *testing.T, srv *testServer, c *Client)) {
	for _, mode := range encodedModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, map[string]any{"encoding": mode, "settings": settings})
			test(t, srv, srv.client())
		})
	}
}

const day = 24 * time.Hour

func TestIntegrationKamiRecharge(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		target := srv.card(map[string]any{"type": 0}) // 1 day
		source := srv.card(map[string]any{"type": 1}) // 7 days

		_, err := c.KamiRecharge(ctx, target, source)
		mustCode(t, err, CodeTargetCardNotActivated)
		if _, err := c.Login(ctx, target, "M-1"); err != nil {
			t.Fatal(err)
		}
		r, err := c.KamiRecharge(ctx, target, source)
		if err != nil || r.Msg != MsgRechargeOK {
			t.Fatalf("kami_recharge: %+v %v", r, err)
		}
		_, err = c.KamiRecharge(ctx, target, source)
		mustCode(t, err, CodeSourceCardUsed)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindAPI || e.ServerMessage != "充值卡密已被使用" {
			t.Fatalf("error %+v", e)
		}
		q, err := c.Query(ctx, target)
		// available counts down from the login: 8 days less the seconds since.
		if want := int64((8 * day).Seconds()); err != nil || q.Available > want || q.Available < want-60 {
			t.Fatalf("target after recharge: %+v %v", q, err)
		}
		_, err = c.KamiRecharge(ctx, target, "NO-SUCH-SOURCE-CARD")
		mustCode(t, err, CodeSourceCardNotFound)
		_, err = c.KamiRecharge(ctx, "", source)
		mustCode(t, err, CodeInvalidArgument)
	})
}

func TestIntegrationKamiRechargeRace(t *testing.T) {
	srv := sharedPlainServer(t)
	c := srv.client()
	ctx := context.Background()
	source := srv.card(map[string]any{"type": 1})
	const n = 8
	targets := make([]string, n)
	for i := range targets {
		targets[i] = srv.card(map[string]any{"type": 0})
		if _, err := c.Login(ctx, targets[i], fmt.Sprintf("RACE-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = c.KamiRecharge(ctx, targets[i], source)
		}()
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("targets %d and %d both got the source card", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, CodeSourceCardUsed):
			t.Fatalf("target %d: %v, want SOURCE_CARD_USED", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no recharge succeeded")
	}
	for i, target := range targets {
		q, err := c.Query(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		want := int64(day.Seconds())
		if i == won {
			want = int64((8 * day).Seconds())
		}
		// Seconds pass between login and query; a recharged card has days more.
		if q.Available > want || q.Available < want-60 {
			t.Fatalf("target %d (winner %d): available %d, want about %d", i, won, q.Available, want)
		}
	}
}

func TestIntegrationIPUnbindAndDisable(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		card := srv.card(nil)
		_, err := c.IPUnbind(ctx, card)
		mustCode(t, err, CodeIPNotBound)
		if _, err := c.Login(ctx, card, "M-2"); err != nil {
			t.Fatal(err)
		}
		r, err := c.IPUnbind(ctx, card)
		if err != nil || r.Msg != MsgIPUnbindOK {
			t.Fatalf("ip_unbind: %+v %v", r, err)
		}
		_, err = c.IPUnbind(ctx, card)
		mustCode(t, err, CodeIPNotBound)

		d, err := c.Disable(ctx, card)
		if err != nil || d.Msg != MsgDisableOK {
			t.Fatalf("disable: %+v %v", d, err)
		}
		_, err = c.Disable(ctx, card)
		mustCode(t, err, CodeCardDisabled)
		_, err = c.Login(ctx, card, "M-2")
		mustCode(t, err, CodeCardDisabled)
		_, err = c.Disable(ctx, "NO-SUCH-CARD")
		mustCode(t, err, CodeCardNotFound)
	})
}

func TestIntegrationKamiCore(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		card := srv.card(map[string]any{"core": "c0de"})
		got, err := c.GetKamiCore(ctx, card)
		if err != nil || got.Core != "c0de" {
			t.Fatalf("get_kami_core: %+v %v", got, err)
		}
		m, err := c.ModifyCore(ctx, card, "新的-core")
		if err != nil || m.Msg != MsgModifyOK {
			t.Fatalf("modify_core: %+v %v", m, err)
		}
		if got, err = c.GetKamiCore(ctx, card); err != nil || got.Core != "新的-core" {
			t.Fatalf("get_kami_core after modify: %+v %v", got, err)
		}
		_, err = c.ModifyCore(ctx, card, strings.Repeat("x", 17)) // coreMaxBytes 16
		mustCode(t, err, CodeDataTooLong)
		_, err = c.GetKamiCore(ctx, "NO-SUCH-CARD")
		mustCode(t, err, CodeCardNotFound)
		srv.cardAction(card, "disable")
		_, err = c.GetKamiCore(ctx, card)
		mustCode(t, err, CodeCardDisabled)
		_, err = c.ModifyCore(ctx, card, "x")
		mustCode(t, err, CodeCardDisabled)
	})
}

func TestIntegrationHeartbeatAnyAndOnlineKami(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		before, err := c.OnlineKami(ctx)
		if err != nil {
			t.Fatal(err)
		}
		card := srv.card(nil)
		s, err := c.Login(ctx, card, "M-3")
		if err != nil {
			t.Fatal(err)
		}
		hb, err := c.HeartbeatAny(ctx, s.Statecode)
		if err != nil || hb.Msg != MsgHeartbeatOnline || hb.Time == 0 {
			t.Fatalf("heartbeat_any: %+v %v", hb, err)
		}
		online, err := c.OnlineKami(ctx)
		if err != nil || online.Count != before.Count+1 {
			t.Fatalf("online_kami after a login: %+v %v (before %d)", online, err, before.Count)
		}
		if _, err := c.Disable(ctx, card); err != nil {
			t.Fatal(err)
		}
		_, err = c.HeartbeatAny(ctx, s.Statecode)
		mustCode(t, err, CodeStatecodeNotFound)
		if online, err = c.OnlineKami(ctx); err != nil || online.Count != before.Count {
			t.Fatalf("online_kami after disable: %+v %v (before %d)", online, err, before.Count)
		}
		_, err = c.HeartbeatAny(ctx, strings.Repeat("0", 32))
		mustCode(t, err, CodeStatecodeNotFound)
	})
}

func TestIntegrationAppSign(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		r, err := c.AppSign(ctx, "SIG-1")
		if err != nil || r.Msg != MsgAppSignOK || r.Autograph != "SIG-1" {
			t.Fatalf("app_sign: %+v %v", r, err)
		}
		if d := r.Time - srv.clock().Unix(); d < -5 || d > 5 {
			t.Fatalf("app_sign time %d, server clock %d", r.Time, srv.clock().Unix())
		}
		_, err = c.AppSign(ctx, "SIG-2")
		mustCode(t, err, CodeAppSignMismatch)
	})
}

func TestIntegrationVariables(t *testing.T) {
	forEachMode(t, cardAppSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		card := srv.card(nil)
		v, err := c.GetVariable(ctx, card, Variable{ID: "v", Name: "变量"})
		if err != nil || v.Value != "start" {
			t.Fatalf("get_variable: %+v %v", v, err)
		}
		m, err := c.ModifyVariable(ctx, card, "v", "新值 & more=1")
		if err != nil || m.Msg != MsgModifyOK {
			t.Fatalf("modify_variable: %+v %v", m, err)
		}
		if v, err = c.GetVariable(ctx, card, Variable{ID: "v"}); err != nil || v.Value != "新值 & more=1" {
			t.Fatalf("get_variable by id: %+v %v", v, err)
		}
		if v, err = c.GetVariable(ctx, card, Variable{Name: "变量"}); err != nil || v.Value != "新值 & more=1" {
			t.Fatalf("get_variable by name: %+v %v", v, err)
		}
		_, err = c.GetVariable(ctx, card, Variable{ID: "missing"})
		mustCode(t, err, CodeVariableNotFound)
		_, err = c.GetVariable(ctx, card, Variable{ID: "v", Name: "另一个"})
		mustCode(t, err, CodeVariableNotFound)
		_, err = c.GetVariable(ctx, card, Variable{})
		mustCode(t, err, CodeVariableRequired)
		_, err = c.ModifyVariable(ctx, card, "ro", "x")
		mustCode(t, err, CodeVariableReadOnly)
		_, err = c.ModifyVariable(ctx, card, "missing", "x")
		mustCode(t, err, CodeVariableNotFound)
		_, err = c.GetVariable(ctx, "NO-SUCH-CARD", Variable{ID: "v"})
		mustCode(t, err, CodeCardNotFound)
	})
}

// TestIntegrationVersionNumberAndName: version's number is msg and its display name ver; check_update's
// newer version is version (ver being its name), as the TypeScript client reads them.
func TestIntegrationVersionNumberAndName(t *testing.T) {
	srv := startServer(t, map[string]any{"settings": cardAppSettings})
	c := srv.client()
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v.Version != "3.0.0" || v.Name != "三代" {
		t.Fatalf("version: %+v %v", v, err)
	}
	u, err := c.CheckUpdate(ctx, v.Version)
	if err != nil || u.Latest || u.Version != "3.1.0" || u.UpLog != "修复" || u.UpURL != "https://example.com/app" {
		t.Fatalf("check_update: %+v %v", u, err)
	}
	if u, err = c.CheckUpdate(ctx, "3.1.0"); err != nil || !u.Latest || u.Msg != MsgAlreadyLatest {
		t.Fatalf("check_update latest: %+v %v", u, err)
	}
}

// TestIntegrationEveryNewCallRSA: each catalogue call beyond login once through an RSA app, the
// account login's token verified.
func TestIntegrationEveryNewCallRSA(t *testing.T) {
	srv := startServer(t, map[string]any{"encoding": "rsa", "settings": cardAppSettings})
	c := srv.client()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	target, source := srv.card(map[string]any{"type": 0}), srv.card(map[string]any{"type": 1})
	s, err := c.Login(ctx, target, "RSA-1")
	must("login", err)
	_, err = c.KamiRecharge(ctx, target, source)
	must("kami_recharge", err)
	_, err = c.KamiRecharge(ctx, target, source)
	mustCode(t, err, CodeSourceCardUsed)
	_, err = c.IPUnbind(ctx, target)
	must("ip_unbind", err)
	_, err = c.ModifyCore(ctx, target, "core-rsa")
	must("modify_core", err)
	core, err := c.GetKamiCore(ctx, target)
	if err != nil || core.Core != "core-rsa" {
		t.Fatalf("get_kami_core: %+v %v", core, err)
	}
	_, err = c.ModifyVariable(ctx, target, "v", "值")
	must("modify_variable", err)
	v, err := c.GetVariable(ctx, target, Variable{ID: "v"})
	if err != nil || v.Value != "值" {
		t.Fatalf("get_variable: %+v %v", v, err)
	}
	_, err = c.HeartbeatAny(ctx, s.Statecode)
	must("heartbeat_any", err)
	online, err := c.OnlineKami(ctx)
	if err != nil || online.Count != 1 {
		t.Fatalf("online_kami: %+v %v", online, err)
	}
	_, err = c.AppSign(ctx, "SIG-1")
	must("app_sign", err)
	_, err = c.Disable(ctx, target)
	must("disable", err)

	user := uniqueUser()
	_, err = c.Register(ctx, user, "passw-1", "")
	must("register", err)
	_, err = c.Register(ctx, user, "passw-1", "")
	mustCode(t, err, CodeUserExists)
	_, err = c.Recharge(ctx, user, srv.card(map[string]any{"type": 5}))
	must("recharge", err)
	login, err := c.UserLogin(ctx, user, "passw-1", "RSA-2")
	must("user_login", err)
	_, err = c.UserHeartbeat(ctx, user, "passw-1", login.Statecode)
	must("user_heartbeat", err)
	_, err = c.GetUserCore(ctx, user, "passw-1")
	must("get_user_core", err)
	users, err := c.OnlineUser(ctx)
	if err != nil || users.Count != 1 {
		t.Fatalf("online_user: %+v %v", users, err)
	}
	_, err = c.ChangePassword(ctx, user, "passw-1", "passw-2")
	must("change_password", err)
	_, err = c.UserCancel(ctx, user, "passw-2")
	must("user_cancel", err)
	_, err = c.UserLogin(ctx, user, "passw-2", "RSA-2")
	mustCode(t, err, CodeUserLoginFailed)
}
