package kami

import (
	"context"
	"time"
)

// The account family (账号模式): register, user_login (its token and statecode verified like a
// card login's), user_heartbeat, recharge, change_password, user_cancel, get_user_core and
// online_user, with the field names t3sdk sends (spec/catalogue/t3.json).

// UserLoginResult is a verified user_login reply.
type UserLoginResult struct {
	// ID is the account's id as sent.
	ID string
	// EndTime is the expiry as sent, YYYY-MM-DD HH:mm:ss Beijing time.
	EndTime string
	// ExpiresAt is EndTime parsed; the zero Time when the server sent something else.
	ExpiresAt time.Time
	// Token is the verified login token.
	Token string
	// Statecode is sent with every UserHeartbeat (or HeartbeatAny).
	Statecode string
	// Time is the server's unix seconds.
	Time int64
	// Date is the server's minute, yyyyMMddHHmm Beijing time.
	Date string
	// Recharge is how many cards were recharged into the account so far.
	Recharge int64
	// UseTime is the first login, YYYY-MM-DD HH:mm:ss.
	UseTime string
	// Available is the seconds left (or uses left when the account logs in by uses).
	Available int64
	// IMEI is the machine code the server echoed.
	IMEI string
	// Change is the unbinds so far (0 when absent).
	Change int64
	// Core is the account's core data as sent.
	Core string
	// SignText is the sign text of the request (for apps that verify tokens themselves).
	SignText string
	// Raw is the decoded reply, untouched (numbers are json.Number).
	Raw map[string]any
}

// Register creates an account of the app (注册成功; 账号已存在, CodeUserExists, when taken).
// email is sent only when not empty. Not idempotent.
func (c *Client) Register(ctx context.Context, user, pass, email string) (*MessageResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("pass", pass); err != nil {
		return nil, err
	}
	params := []Param{{"user", user}, {"pass", pass}}
	if email != "" {
		params = append(params, Param{"email", email})
	}
	return c.message(ctx, EndpointRegister, params...)
}

// UserLogin logs an account in. imei is the machine code; when empty, MachineCode computes one
// with the WithMachineCode options, as Login does. The reply's clock, token (both formulas, from
// the reply's own date) and statecode are checked before it is returned, exactly like a card
// login's (user_login carries no safe_code). Never resent once it may have reached a server.
func (c *Client) UserLogin(ctx context.Context, user, pass, imei string) (*UserLoginResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("pass", pass); err != nil {
		return nil, err
	}
	if imei == "" {
		code, err := MachineCode(c.machineCode)
		if err != nil {
			return nil, err
		}
		imei = code
	}
	if err := validateIMEI(imei); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointUserLogin, Param{"user", user}, Param{"pass", pass}, Param{"imei", imei})
	if err != nil {
		return nil, err
	}
	b := r.Fields
	if err := requireFields(b, "id", "end_time", "token", "statecode", "time", "date"); err != nil {
		return nil, err
	}
	if err := checkClockSkew(b["time"], c.now(), c.maxClockSkew); err != nil {
		return nil, err
	}
	if c.tokenCheck != TokenOff {
		proof := loginProof{
			id: fieldText(b["id"]), endTime: fieldText(b["end_time"]), token: fieldText(b["token"]),
			statecode: fieldText(b["statecode"]), time: fieldText(b["time"]), date: fieldText(b["date"]),
		}
		if err := verifyToken(proof, c.appKey, r.SignText, c.tokenCheck); err != nil {
			return nil, err
		}
	}
	result := &UserLoginResult{
		ID:        fieldText(b["id"]),
		EndTime:   fieldText(b["end_time"]),
		Token:     fieldText(b["token"]),
		Statecode: fieldText(b["statecode"]),
		Time:      fieldInt(b["time"]),
		Date:      fieldText(b["date"]),
		Recharge:  fieldInt(b["recharge"]),
		UseTime:   fieldText(b["use_time"]),
		Available: fieldInt(b["available"]),
		IMEI:      fieldText(b["imei"]),
		Change:    fieldInt(b["change"]),
		Core:      fieldText(b["core"]),
		SignText:  r.SignText,
		Raw:       b,
	}
	result.ExpiresAt, _ = ParseBeijingTime(result.EndTime)
	return result, nil
}

// UserHeartbeat keeps an account session alive. The reply's clock is checked, as Heartbeat's.
func (c *Client) UserHeartbeat(ctx context.Context, user, pass, statecode string) (*HeartbeatResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("statecode", statecode); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointUserHeartbeat, Param{"user", user}, Param{"pass", pass}, Param{"statecode", statecode})
	if err != nil {
		return nil, err
	}
	if err := requireFields(r.Fields, "time"); err != nil {
		return nil, err
	}
	if err := checkClockSkew(r.Fields["time"], c.now(), c.maxClockSkew); err != nil {
		return nil, err
	}
	return heartbeatResult(r.Fields), nil
}

// Recharge (用户充值) recharges an unused card into the account. Not idempotent: a lost reply
// of a consumed card would be answered 卡密已被使用.
func (c *Client) Recharge(ctx context.Context, user, card string) (*MessageResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("card", card); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointRecharge, Param{"user", user}, Param{"card", card})
}

// ChangePassword (修改密码) sets a new password; the account's sessions end. Not idempotent.
func (c *Client) ChangePassword(ctx context.Context, user, oldpass, newpass string) (*MessageResult, error) {
	for _, f := range []Param{{"user", user}, {"oldpass", oldpass}, {"newpass", newpass}} {
		if err := requireNonEmpty(f.Name, f.Value); err != nil {
			return nil, err
		}
	}
	return c.message(ctx, EndpointChangePassword, Param{"user", user}, Param{"oldpass", oldpass}, Param{"newpass", newpass})
}

// UserCancel (用户注销) deletes the account. Not idempotent.
func (c *Client) UserCancel(ctx context.Context, user, pass string) (*MessageResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("pass", pass); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointUserCancel, Param{"user", user}, Param{"pass", pass})
}

// GetUserCore reads the account's core data.
func (c *Client) GetUserCore(ctx context.Context, user, pass string) (*CoreResult, error) {
	if err := requireNonEmpty("user", user); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("pass", pass); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointGetUserCore, Param{"user", user}, Param{"pass", pass})
	if err != nil {
		return nil, err
	}
	return &CoreResult{Core: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// OnlineUser counts the app's accounts with a live session.
func (c *Client) OnlineUser(ctx context.Context) (*CountResult, error) {
	return c.count(ctx, EndpointOnlineUser)
}
