package kami

import (
	"context"
	"time"
)

// LoginResult is a verified login reply.
type LoginResult struct {
	// ID is the card's id as sent (a number's text, or a string).
	ID string
	// EndTime is the expiry as sent, YYYY-MM-DD HH:mm:ss Beijing time.
	EndTime string
	// ExpiresAt is EndTime parsed; the zero Time when the server sent something else.
	ExpiresAt time.Time
	// Amount is the duration text: 30天, 永久卡, 3次.
	Amount string
	// Available is the seconds left (count cards: uses left − 1).
	Available int64
	// Token is the verified login token.
	Token string
	// Statecode is sent with every heartbeat.
	Statecode string
	// SafeCode is the nonce the server echoed.
	SafeCode string
	// Time is the server's unix seconds.
	Time int64
	// Date is the server's minute, yyyyMMddHHmm Beijing time.
	Date string
	// IMEI is the machine code the server echoed.
	IMEI string
	// Change is the server's change counter (0 when absent).
	Change int64
	// Core is the app's core data, hex as sent.
	Core string
	// SignText is the sign text of the request (for apps that verify tokens themselves).
	SignText string
	// Raw is the decoded reply, untouched (numbers are json.Number).
	Raw map[string]any
}

// HeartbeatResult is a successful heartbeat reply.
type HeartbeatResult struct {
	Msg  string         // the server's text, 在线 when it sent none
	Time int64          // the server's unix seconds
	Date string         // the server's minute, yyyyMMddHHmm Beijing time ("" when absent)
	Raw  map[string]any // the decoded reply
}

// QueryResult is a card query reply; fields the server did not send are empty.
type QueryResult struct {
	ID        string         // the card's id
	State     any            // the card's state as sent
	Use       any            // its use count or flag as sent
	UseTime   any            // when it was first used, as sent
	EndTime   string         // expiry, YYYY-MM-DD HH:mm:ss Beijing time
	Amount    string         // duration text
	Available int64          // seconds (or uses) left
	Line      *int           // sessions of the card online now; nil when the server does not send line
	LineTime  *string        // when one was last seen, YYYY-MM-DD HH:mm:ss Beijing ("" when none); nil when not sent
	Raw       map[string]any // the decoded reply
}

// MessageResult is the reply of the calls that answer {code, msg}: unbind, notice, disable, ...
type MessageResult struct {
	Msg string         // the server's text
	Raw map[string]any // the decoded reply
}

// VersionResult is the reply of version.
type VersionResult struct {
	Version string         // the app's current version number (msg, what t3sdk reads)
	Name    string         // its display name (ver), "" when the server sent none
	Raw     map[string]any // the decoded reply
}

// UpdateResult is the reply of check_update: Latest, or the newer version with its log and URL.
type UpdateResult struct {
	Latest  bool           // the version asked about is the latest
	Msg     string         // the server's text when Latest
	Version string         // the newer version number (version, else ver)
	UpLog   string         // its change log
	UpURL   string         // where to download it
	Raw     map[string]any // the decoded reply
}

// Session is a successful login plus what it takes to keep it alive. It is a snapshot: a managed
// heartbeat that logs in again reports the new login through Heartbeat.Login.
type Session struct {
	LoginResult
	// Card is the card this session was opened with.
	Card string
	// MachineCode is the machine code that was sent (IMEI is what the server echoed).
	MachineCode string
	client      *Client
}

// Heartbeat sends one heartbeat with the session's statecode and card.
func (s *Session) Heartbeat(ctx context.Context) (*HeartbeatResult, error) {
	if s.client == nil {
		return nil, errDetachedSession
	}
	return s.client.Heartbeat(ctx, s.Statecode, s.Card)
}

// errDetachedSession: a Session built by hand has no client (Client.Login returns usable ones).
var errDetachedSession = validationError("session", "this Session did not come from Client.Login")

// StartHeartbeat starts the managed heartbeat loop for this session; see HeartbeatOptions.
func (s *Session) StartHeartbeat(ctx context.Context, opts HeartbeatOptions) (*Heartbeat, error) {
	if s.client == nil {
		return nil, errDetachedSession
	}
	return s.client.StartHeartbeat(ctx, HeartbeatSession{Statecode: s.Statecode, Card: s.Card, MachineCode: s.MachineCode}, opts)
}

// Login logs a card in. imei is the machine code; when empty, MachineCode computes one with the
// WithMachineCode options. The reply's clock, token (both formulas, from the reply's own date),
// statecode and safe_code echo are checked before the session is returned. A login is never
// resent once it may have reached a server.
func (c *Client) Login(ctx context.Context, card, imei string) (*Session, error) {
	if err := requireNonEmpty("kami", card); err != nil {
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
	result, err := c.login(ctx, card, imei)
	if err != nil {
		return nil, err
	}
	return &Session{LoginResult: *result, Card: card, MachineCode: imei, client: c}, nil
}

func (c *Client) login(ctx context.Context, card, imei string) (*LoginResult, error) {
	safeCode := c.safeCode()
	r, err := c.callOK(ctx, EndpointLogin, Param{"kami", card}, Param{"imei", imei}, Param{"safe_code", safeCode})
	if err != nil {
		return nil, err
	}
	body := r.Fields
	if err := requireFields(body, "id", "end_time", "token", "statecode", "time", "date"); err != nil {
		return nil, err
	}
	if err := checkClockSkew(body["time"], c.now(), c.maxClockSkew); err != nil {
		return nil, err
	}
	echoed, hasEcho := body["safe_code"]
	if c.tokenCheck != TokenOff {
		proof := loginProof{
			id: fieldText(body["id"]), endTime: fieldText(body["end_time"]), token: fieldText(body["token"]),
			statecode: fieldText(body["statecode"]), time: fieldText(body["time"]), date: fieldText(body["date"]),
			safeCode: fieldText(echoed), hasSafeCode: hasEcho && echoed != nil,
		}
		if err := verifyLogin(proof, c.appKey, r.SignText, c.tokenCheck, safeCode); err != nil {
			return nil, err
		}
	}
	result := &LoginResult{
		ID:        fieldText(body["id"]),
		EndTime:   fieldText(body["end_time"]),
		Amount:    fieldText(body["amount"]),
		Available: fieldInt(body["available"]),
		Token:     fieldText(body["token"]),
		Statecode: fieldText(body["statecode"]),
		SafeCode:  fieldText(echoed),
		Time:      fieldInt(body["time"]),
		Date:      fieldText(body["date"]),
		IMEI:      fieldText(body["imei"]),
		Change:    fieldInt(body["change"]),
		Core:      fieldText(body["core"]),
		SignText:  r.SignText,
		Raw:       body,
	}
	result.ExpiresAt, _ = ParseBeijingTime(result.EndTime)
	return result, nil
}

// Heartbeat renews a statecode. card, when not empty, is sent too (the protocol's optional kami
// field). The reply's clock is checked. Heartbeats are idempotent: retried and failed over.
func (c *Client) Heartbeat(ctx context.Context, statecode, card string) (*HeartbeatResult, error) {
	if err := requireNonEmpty("statecode", statecode); err != nil {
		return nil, err
	}
	// The catalogue's (and t3sdk's) order: kami first when sent, then statecode.
	params := []Param{{"statecode", statecode}}
	if card != "" {
		params = []Param{{"kami", card}, {"statecode", statecode}}
	}
	r, err := c.callOK(ctx, EndpointHeartbeat, params...)
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

// Query reads a card's state.
func (c *Client) Query(ctx context.Context, card string) (*QueryResult, error) {
	if err := requireNonEmpty("kami", card); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointQuery, Param{"kami", card})
	if err != nil {
		return nil, err
	}
	b := r.Fields
	return &QueryResult{
		ID: fieldText(b["id"]), State: b["state"], Use: b["use"], UseTime: b["use_time"],
		EndTime: fieldText(b["end_time"]), Amount: fieldText(b["amount"]), Available: fieldInt(b["available"]),
		Line: optionalInt(b["line"]), LineTime: optionalText(b["line_time"]), Raw: b,
	}, nil
}

// Unbind releases a card from a machine code. Not idempotent: never resent once it may have
// reached a server.
func (c *Client) Unbind(ctx context.Context, card, imei string) (*MessageResult, error) {
	if err := requireNonEmpty("kami", card); err != nil {
		return nil, err
	}
	if err := validateIMEI(imei); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointUnbind, Param{"kami", card}, Param{"imei", imei})
	if err != nil {
		return nil, err
	}
	return &MessageResult{Msg: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// Notice reads the app's notice.
func (c *Client) Notice(ctx context.Context) (*MessageResult, error) {
	r, err := c.callOK(ctx, EndpointNotice)
	if err != nil {
		return nil, err
	}
	return &MessageResult{Msg: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}

// Version reads the app's current version number (msg, else version, else ver, as the
// TypeScript client reads them) and its display name (ver).
func (c *Client) Version(ctx context.Context) (*VersionResult, error) {
	r, err := c.callOK(ctx, EndpointVersion)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"msg", "version", "ver"} {
		if v, ok := r.Fields[name]; ok && v != nil {
			return &VersionResult{Version: fieldText(v), Name: fieldText(r.Fields["ver"]), Raw: r.Fields}, nil
		}
	}
	return nil, missingField("msg")
}

// CheckUpdate asks whether currentVersion is the latest.
func (c *Client) CheckUpdate(ctx context.Context, currentVersion string) (*UpdateResult, error) {
	if err := requireNonEmpty("currentVersion", currentVersion); err != nil {
		return nil, err
	}
	r, err := c.Call(ctx, EndpointCheckUpdate, Param{"ver", currentVersion})
	if err != nil {
		return nil, err
	}
	b := r.Fields
	// 201 means "already latest", but servers also use 201 for errors: a known error text wins.
	if fieldText(b["code"]) == "201" {
		if _, known := T3CodeForMessage(fieldText(b["msg"])); !known {
			msg := MsgAlreadyLatest
			if m, ok := b["msg"]; ok && m != nil {
				msg = fieldText(m)
			}
			return &UpdateResult{Latest: true, Msg: msg, Raw: b}, nil
		}
	}
	if !c.succeeded(r) {
		return nil, t3Error(b, r.resp)
	}
	// version is the number, ver its display name (older servers send only ver).
	version := b["version"]
	if version == nil {
		version = b["ver"]
	}
	return &UpdateResult{Version: fieldText(version), UpLog: fieldText(b["uplog"]), UpURL: fieldText(b["upurl"]), Raw: b}, nil
}
