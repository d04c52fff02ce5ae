package kami

import "context"

// The card calls made with an account (t3sdk's *_user variants): the card routes, on the same
// 调用码, called with user + pass in place of kami (spec/catalogue/t3.json lists them as the
// endpoints' variants, with their fields in send order). Each keeps its card route's
// idempotency, since the endpoint table is per route.

// UnbindUser (用户解绑设备, t3sdk unbind_user) frees the account's bound device when imei is it
// (请在原设备登录, CodeDeviceMismatch, otherwise; 账号未绑定设备, CodeUserNotBound, when none is
// bound). It counts toward the app's unbind limit. Not idempotent, like Unbind: never resent
// once it may have reached a server.
func (c *Client) UnbindUser(ctx context.Context, user, pass, imei string) (*MessageResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	if err := validateIMEI(imei); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointUnbind, Param{"user", user}, Param{"pass", pass}, Param{"imei", imei})
}

// IPUnbindUser (用户IP解绑, t3sdk ip_unbind_user) frees the account's bound IP or region
// (账号未绑定IP, CodeUserIPNotBound, when none is bound).
func (c *Client) IPUnbindUser(ctx context.Context, user, pass string) (*MessageResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointIPUnbind, Param{"user", user}, Param{"pass", pass})
}

// DisableUser (禁用用户, t3sdk disable_user): the account disables itself and its sessions end;
// every later call with it answers 账号被禁用 (CodeUserDisabled).
func (c *Client) DisableUser(ctx context.Context, user, pass string) (*MessageResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointDisable, Param{"user", user}, Param{"pass", pass})
}

// ModifyCoreByUser (修改用户核心数据, t3sdk modify_core_by_user) replaces the account's core data
// (数据长度超出限制 beyond the app's limit); read it back with GetUserCore. core may be empty.
func (c *Client) ModifyCoreByUser(ctx context.Context, user, pass, core string) (*MessageResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointModifyCore, Param{"user", user}, Param{"pass", pass}, Param{"core", core})
}

// GetVariableByUser (t3sdk get_variable_by_user) reads a cloud variable with an account's
// credential; the account needs a term left (账号未充值, CodeUserNotRecharged, before its first
// recharge). v is sent as GetVariable sends it.
func (c *Client) GetVariableByUser(ctx context.Context, user, pass string, v Variable) (*VariableResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointGetVariable,
		Param{"user", user}, Param{"pass", pass}, Param{"valueid", v.ID}, Param{"valuename", v.Name})
	if err != nil {
		return nil, err
	}
	return &VariableResult{Value: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// ModifyVariableByUser (t3sdk modify_variable_by_user) writes a client-writable cloud variable
// with an account's credential (变量不可修改 otherwise); valuecontent may be empty.
func (c *Client) ModifyVariableByUser(ctx context.Context, user, pass, valueid, valuecontent string) (*MessageResult, error) {
	if err := requireCredentials(user, pass); err != nil {
		return nil, err
	}
	if err := requireNonEmpty("valueid", valueid); err != nil {
		return nil, err
	}
	return c.message(ctx, EndpointModifyVariable,
		Param{"user", user}, Param{"pass", pass}, Param{"valueid", valueid}, Param{"valuecontent", valuecontent})
}

// requireCredentials: an account's user and pass, both non-empty.
func requireCredentials(user, pass string) error {
	if err := requireNonEmpty("user", user); err != nil {
		return err
	}
	return requireNonEmpty("pass", pass)
}
