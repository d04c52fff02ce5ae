package kami

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// PotatoConfig holds the potatocloud credentials of WithPotato.
type PotatoConfig struct {
	// BaseURLs of the potatocloud API. Default: the client's base URLs.
	BaseURLs []string
	// AskKey is the app's askKey (required).
	AskKey string
	// APIUserToken is a user token, if you already have one.
	APIUserToken string
	// UserNumber is the reseller account, to log in (and again when the token expires).
	UserNumber string
	// PassWord is the reseller account's password.
	PassWord string
	// SignSecret is the app's signing secret, when its potato sign check is on.
	SignSecret string
}

// CardType is a card's type (0–5) for CreateCardMy.
type CardType int

// The card types.
const (
	CardDay       CardType = 0 // 天卡
	CardWeek      CardType = 1 // 周卡
	CardMonth     CardType = 2 // 月卡
	CardQuarter   CardType = 3 // 季卡
	CardYear      CardType = 4 // 年卡
	CardPermanent CardType = 5 // 永久卡
)

// MaxCardsPerCall is the most cards one CreateCardMy call may create.
const MaxCardsPerCall = 10

// PotatoCard is a card as createCardMy and getCardMyList return it.
type PotatoCard struct {
	// ID is a snowflake id, always a string (it exceeds 2^53).
	ID           string `json:"id"`
	CreatedDate  int64  `json:"createdDate"`  // unix milliseconds
	ModifiedDate int64  `json:"modifiedDate"` // unix milliseconds
	// Status: 0 deleted, 1 in use.
	Status int    `json:"status"`
	IP     string `json:"ip"`    // the creator's address
	AppID  string `json:"appId"` // the app's id
	// CardStr is the card key, 32 uppercase hex characters.
	CardStr     string `json:"cardStr"`
	ExportState int    `json:"exportState"` // whether the card was exported
	State       int    `json:"state"`       // the card's state as the service reports it
	Type        int    `json:"type"`        // the card type (CardType)
}

// CardListQuery filters GetCardMyList; zero fields are not sent.
type CardListQuery struct {
	Page    int    `json:"p,omitempty"`       // page number (p)
	Size    int    `json:"s,omitempty"`       // page size (s)
	CardStr string `json:"cardStr,omitempty"` // one card key
	State   *int   `json:"state,omitempty"`   // cards in this state
	Type    *int   `json:"type,omitempty"`    // cards of this type
}

// CardList is a page of GetCardMyList.
type CardList struct {
	// Cards of this page.
	Cards []PotatoCard
	// Total is the server's total, -1 when it sent none.
	Total int64
	// Raw is the envelope's data as sent.
	Raw json.RawMessage
}

type potatoClient struct {
	c     *Client
	cfg   PotatoConfig
	hosts *rotation
	mu    sync.Mutex
	token string
}

func newPotatoClient(c *Client, cfg PotatoConfig, t3Hosts []string) (*potatoClient, error) {
	if cfg.AskKey == "" {
		return nil, validationError("potato.askKey", "potato.askKey must be a non-empty string")
	}
	hosts := t3Hosts
	if len(cfg.BaseURLs) > 0 {
		var err error
		if hosts, err = validateBaseURLs(cfg.BaseURLs); err != nil {
			return nil, err
		}
	}
	return &potatoClient{c: c, cfg: cfg, hosts: &rotation{hosts: hosts, maxRetries: c.t3.maxRetries}, token: cfg.APIUserToken}, nil
}

func (c *Client) potatoClient() (*potatoClient, error) {
	if c.potato == nil {
		return nil, validationError("potato", "potato options (WithPotato: askKey, credentials) are required")
	}
	return c.potato, nil
}

// PotatoLogin logs the reseller account in (/api/login) and keeps the apiUserToken for later
// calls. Empty arguments fall back on PotatoConfig's UserNumber and PassWord.
func (c *Client) PotatoLogin(ctx context.Context, userNumber, passWord string) (string, error) {
	p, err := c.potatoClient()
	if err != nil {
		return "", err
	}
	return p.login(ctx, userNumber, passWord)
}

// CreateCardMy creates total (1–MaxCardsPerCall) cards of a type (/api/createCardMy). It logs in
// first when needed (and once more if the token expired). Not idempotent: never resent once it
// may have reached a server.
func (c *Client) CreateCardMy(ctx context.Context, cardType CardType, total int) ([]PotatoCard, error) {
	if cardType < CardDay || cardType > CardPermanent {
		return nil, validationError("type", "type must be an integer 0–5 (0 天卡, 1 周卡, 2 月卡, 3 季卡, 4 年卡, 5 永久卡)")
	}
	if total < 1 || total > MaxCardsPerCall {
		return nil, validationError("total", fmt.Sprintf("total must be an integer 1–%d", MaxCardsPerCall))
	}
	p, err := c.potatoClient()
	if err != nil {
		return nil, err
	}
	data, err := p.authed(ctx, "/api/createCardMy", createCardBody{Type: int(cardType), Total: total}, false)
	if err != nil {
		return nil, err
	}
	var cards []PotatoCard
	if err := json.Unmarshal(data, &cards); err != nil || cards == nil {
		return nil, responseError(CodeResponseMissingField, "响应数据缺少必要字段: data", 0, string(data), err)
	}
	return cards, nil
}

// GetCardMyList lists the reseller's cards (/api/getCardMyList).
func (c *Client) GetCardMyList(ctx context.Context, q CardListQuery) (*CardList, error) {
	p, err := c.potatoClient()
	if err != nil {
		return nil, err
	}
	data, err := p.authed(ctx, "/api/getCardMyList", q, true)
	if err != nil {
		return nil, err
	}
	out := &CardList{Total: -1, Raw: data}
	if json.Unmarshal(data, &out.Cards) == nil {
		return out, nil
	}
	var page struct {
		List    []PotatoCard `json:"list"`
		Records []PotatoCard `json:"records"`
		Total   *int64       `json:"total"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return nil, responseError(CodeResponseInvalidJSON, "响应不是有效的JSON格式: data", 0, string(data), err)
	}
	out.Cards = page.List
	if out.Cards == nil {
		out.Cards = page.Records
	}
	if page.Total != nil {
		out.Total = *page.Total
	}
	return out, nil
}

func (p *potatoClient) login(ctx context.Context, userNumber, passWord string) (string, error) {
	if userNumber == "" {
		userNumber = p.cfg.UserNumber
	}
	if passWord == "" {
		passWord = p.cfg.PassWord
	}
	if err := requireNonEmpty("userNumber", userNumber); err != nil {
		return "", err
	}
	if err := requireNonEmpty("passWord", passWord); err != nil {
		return "", err
	}
	data, err := p.call(ctx, "/api/login", map[string]string{"userNumber": userNumber, "passWord": passWord}, true, false)
	if err != nil {
		return "", err
	}
	var d struct {
		APIUserToken *string `json:"apiUserToken"`
	}
	if json.Unmarshal(data, &d) != nil || d.APIUserToken == nil {
		return "", missingField("data.apiUserToken")
	}
	p.mu.Lock()
	p.token = *d.APIUserToken
	p.mu.Unlock()
	return *d.APIUserToken, nil
}

func (p *potatoClient) currentToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.token
}

// authed calls with the user token, logging in first (and once more on an expired token) when
// the account is configured.
func (p *potatoClient) authed(ctx context.Context, path string, body any, idempotent bool) (json.RawMessage, error) {
	canLogin := p.cfg.UserNumber != "" && p.cfg.PassWord != ""
	if p.currentToken() == "" && canLogin {
		if _, err := p.login(ctx, "", ""); err != nil {
			return nil, err
		}
	}
	if p.currentToken() == "" {
		return nil, validationError("potato.apiUserToken", "potato.apiUserToken (or userNumber + passWord) is required")
	}
	data, err := p.call(ctx, path, body, idempotent, true)
	var e *Error
	if err == nil || !canLogin || !errors.As(err, &e) || e.Kind != KindAPI || e.Code != CodeUserTokenInvalid {
		return data, err
	}
	if _, err := p.login(ctx, "", ""); err != nil {
		return nil, err
	}
	return p.call(ctx, path, body, idempotent, true)
}

// potatoHeaders is the header set of one call, names spelled as the service spells them (set
// directly, so net/http does not canonicalise askKey into Askkey).
func potatoHeaders(askKey, userToken, signSecret string, timeMs int64) http.Header {
	h := http.Header{"Content-Type": {"application/json"}, "askKey": {askKey}}
	if userToken != "" {
		h["apiUserToken"] = []string{userToken}
	}
	if signSecret != "" {
		t := strconv.FormatInt(timeMs, 10)
		h["time"] = []string{t}
		h["sign"] = []string{potatoSign(signSecret, t)}
	}
	return h
}

// potatoSign is signature v1: md5(signSecret + time), time in milliseconds.
func potatoSign(secret, timeMs string) string { return md5Hex(secret + timeMs) }

func (p *potatoClient) call(ctx context.Context, path string, body any, idempotent, auth bool) (json.RawMessage, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, validationError("body", err.Error())
	}
	resp, err := p.hosts.send(ctx, idempotent, func(ctx context.Context, host string) (*httpResponse, error) {
		token := ""
		if auth {
			token = p.currentToken()
		}
		// Fresh time and sign per attempt: the sign only covers the time.
		h := potatoHeaders(p.cfg.AskKey, token, p.cfg.SignSecret, p.c.now().UnixMilli())
		return p.c.attempt(ctx, host+path, h, string(payload))
	})
	if err != nil {
		return nil, err
	}
	var env struct {
		Code    any             `json:"code"`
		Message any             `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	parsed, ok := parseJSON(resp.body)
	obj, isObject := parsed.(map[string]any)
	if !ok || !isObject {
		if resp.status >= 400 {
			return nil, responseError(CodeHTTPError, fmt.Sprintf("HTTP %d", resp.status), resp.status, resp.body, nil)
		}
		return nil, responseError(CodeResponseInvalidJSON, "响应不是有效的JSON格式", resp.status, resp.body, nil)
	}
	_ = json.Unmarshal([]byte(resp.body), &env) // it parsed above; only data's raw text is taken from here
	env.Code, env.Message = obj["code"], obj["message"]
	if env.Code == nil {
		return nil, responseError(CodeResponseMissingField, "响应数据缺少必要字段: code", resp.status, resp.body, nil)
	}
	if fieldText(env.Code) != "200" {
		msg, _ := env.Message.(string)
		retryAfter, _ := parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
		return nil, potatoAPIError(msg, fieldText(env.Code), resp.status, retryAfter)
	}
	return env.Data, nil
}

// createCardBody is the createCardMy request, fields in the service's order.
type createCardBody struct {
	Type  int `json:"type"`
	Total int `json:"total"`
}
