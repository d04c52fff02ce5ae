package kami

import (
	"context"
	"strconv"
	"strings"
)

// The card (卡密) and app calls beyond login, heartbeat, query and unbind: recharge, IP unbind,
// disable, core data, cloud variables, the statecode-only heartbeat, online counts and app
// signatures. Field names and send order are those of spec/catalogue/t3.json.

// CoreResult is the reply of get_kami_core and get_user_core.
type CoreResult struct {
	Core string         // the core data (the reply's msg), "" when none is set
	Raw  map[string]any // the decoded reply
}

// CountResult is the reply of online_kami and online_user.
type CountResult struct {
	Count int64          // live sessions (the reply's msg)
	Raw   map[string]any // the decoded reply
}

// AppSignResult is the reply of app_sign.
type AppSignResult struct {
	Msg       string         // 签名一致
	Autograph string         // the signature the server matched
	Time      int64          // the server's unix seconds, 0 when absent
	Raw       map[string]any // the decoded reply
}

// VariableResult is the reply of get_variable.
type VariableResult struct {
	Value string         // the variable's value (the reply's msg)
	Raw   map[string]any // the decoded reply
}

// Variable names a cloud variable (云变量): by ID (valueid), with Name (valuename), when not
// empty, required to be its name; a Name alone looks the variable up by name.
type Variable struct {
	ID   string // valueid
	Name string // valuename
}

// KamiRecharge (以卡充卡) moves the source card's term onto the target card, which must have
// been activated; the source card is used up. Not idempotent: never resent once it may have
// reached a server (a resend would answer 充值卡密已被使用).
func (c *Client) KamiRecharge(ctx context.Context, targetKami, sourceKami string) (*MessageResult, error) {
	if err := requireNonEmpty("targetKami", targetKami); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("sourceKami", sourceKami); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointKamiRecharge, Param{"target_kami", targetKami}, Param{"source_kami", sourceKami})
}

// IPUnbind clears the card's bound IP (IP解绑成功; 未绑定IP when none is bound).
func (c *Client) IPUnbind(ctx context.Context, kami string) (*MessageResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointIPUnbind, Param{"kami", kami})
}

// Disable disables the card; its sessions end.
func (c *Client) Disable(ctx context.Context, kami string) (*MessageResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointDisable, Param{"kami", kami})
}

// GetKamiCore reads the card's core data.
func (c *Client) GetKamiCore(ctx context.Context, kami string) (*CoreResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointGetKamiCore, Param{"kami", kami})
	if err != nil {
		return nil, err
	}
	return &CoreResult{Core: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// ModifyCore replaces the card's core data (数据长度超出限制 beyond the app's limit). core may
// be empty.
func (c *Client) ModifyCore(ctx context.Context, kami, core string) (*MessageResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointModifyCore, Param{"kami", kami}, Param{"core", core})
}

// HeartbeatAny (统一心跳) renews any session, card or account, by its statecode alone. Unlike
// Heartbeat the reply's clock is not checked (as in the TypeScript client); Time and Date are
// what the server sent.
func (c *Client) HeartbeatAny(ctx context.Context, statecode string) (*HeartbeatResult, error) {
	if err := requireNonEmpty("statecode", statecode); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointHeartbeatAny, Param{"statecode", statecode})
	if err != nil {
		return nil, err
	}
	return heartbeatResult(r.Fields), nil
}

// OnlineKami counts the app's live card sessions.
func (c *Client) OnlineKami(ctx context.Context) (*CountResult, error) {
	return c.count(ctx, EndpointOnlineKami)
}

// AppSign asks whether autograph is one of the app's configured signatures (签名一致; else
// 应用签名不一致, CodeAppSignMismatch).
func (c *Client) AppSign(ctx context.Context, autograph string) (*AppSignResult, error) {
	if err := requireNonEmpty("autograph", autograph); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointAppSign, Param{"autograph", autograph})
	if err != nil {
		return nil, err
	}
	b := r.Fields
	return &AppSignResult{Msg: fieldText(b["msg"]), Autograph: fieldText(b["autograph"]), Time: fieldInt(b["time"]), Raw: b}, nil
}

// GetVariable reads a cloud variable with a card's credential. A Variable with neither ID nor
// Name is sent as is and refused by the server (变量ID不可为空, CodeVariableRequired).
func (c *Client) GetVariable(ctx context.Context, kami string, v Variable) (*VariableResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointGetVariable, Param{"kami", kami}, Param{"valueid", v.ID}, Param{"valuename", v.Name})
	if err != nil {
		return nil, err
	}
	return &VariableResult{Value: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// ModifyVariable writes a client-writable cloud variable (变量不可修改 otherwise); valuecontent
// may be empty.
func (c *Client) ModifyVariable(ctx context.Context, kami, valueid, valuecontent string) (*MessageResult, error) {
	if err := requireNonEmpty("kami", kami); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("valueid", valueid); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointModifyVariable, Param{"kami", kami}, Param{"valueid", valueid}, Param{"valuecontent", valuecontent})
}

// message is callOK for the calls whose reply is {code, msg}.
func (c *Client) message(ctx context.Context, endpoint Endpoint, params ...Param) (*MessageResult, error) {
	r, err := c.callOK(ctx, endpoint, params...)
	if err != nil {
		return nil, err
	}
	return &MessageResult{Msg: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// count is the online_* calls: msg holds a whole number.
func (c *Client) count(ctx context.Context, endpoint Endpoint) (*CountResult, error) {
	r, err := c.callOK(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(fieldText(r.Fields["msg"]))
	if text == "" {
		text = "0"
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return nil, responseError(CodeResponseMissingField, "响应数据缺少必要字段: msg (not a count: "+quote(text)+")",
			r.HTTPStatus, "", err)
	}
	return &CountResult{Count: n, Raw: r.Fields}, nil
}

// heartbeatResult reads a heartbeat-like reply: msg (在线 when absent), time and date.
func heartbeatResult(b map[string]any) *HeartbeatResult {
	msg := MsgHeartbeatOnline
	if m, ok := b["msg"]; ok && m != nil {
		msg = fieldText(m)
	}
	return &HeartbeatResult{Msg: msg, Time: fieldInt(b["time"]), Date: fieldText(b["date"]), Raw: b}
}
