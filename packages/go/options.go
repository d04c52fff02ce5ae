package kami

import (
	"net/http"
	"time"
)

// Defaults of the client options.
const (
	// DefaultTimeout is the per-attempt timeout (the official Python SDK's).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxRetries is how often idempotent calls are retried after every host failed
	// transiently. Logins and other non-idempotent calls are never retried once they may have
	// reached a server.
	DefaultMaxRetries = 2
	// DefaultMaxClockSkew is the largest allowed |reply time − local time|.
	DefaultMaxClockSkew = 5 * time.Second
	// DefaultSuccessCode is the success value of the reply's code ("200" and 200 both count).
	DefaultSuccessCode = "200"
	// DefaultMaxResponseBytes is the largest reply body read.
	DefaultMaxResponseBytes = 1 << 20
	// DefaultConnectTimeout is the TCP connect timeout of the default HTTP client.
	DefaultConnectTimeout = 3 * time.Second
)

// Option configures a Client.
type Option func(*config)

type config struct {
	fallbacks        []string
	httpClient       *http.Client
	timeout          time.Duration
	maxRetries       int
	maxClockSkew     time.Duration
	tokenCheck       TokenCheck
	successCode      string
	encoding         Encoding
	now              func() time.Time
	safeCode         func() string
	maxResponseBytes int64
	potato           *PotatoConfig
	machineCode      MachineCodeOptions
}

// WithFallbackURLs adds base URLs to fail over to, in order, after the one given to New.
func WithFallbackURLs(urls ...string) Option {
	return func(c *config) { c.fallbacks = append(c.fallbacks, urls...) }
}

// WithHTTPClient sets the HTTP client (proxies, TLS, your own pool). Default: a client with
// DefaultConnectTimeout for connecting and keep-alive; its Timeout, if any, caps whole attempts.
func WithHTTPClient(h *http.Client) Option { return func(c *config) { c.httpClient = h } }

// WithTimeout sets the per-attempt timeout. Default DefaultTimeout. The context's deadline, if
// sooner, wins.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithMaxRetries sets the retries of idempotent calls. Default DefaultMaxRetries.
func WithMaxRetries(n int) Option { return func(c *config) { c.maxRetries = n } }

// WithMaxClockSkew sets the largest allowed |reply time − local time|. Default
// DefaultMaxClockSkew; a negative value disables the check.
func WithMaxClockSkew(d time.Duration) Option { return func(c *config) { c.maxClockSkew = d } }

// WithTokenCheck sets which login token formula is accepted. Default TokenAuto.
func WithTokenCheck(t TokenCheck) Option { return func(c *config) { c.tokenCheck = t } }

// WithSuccessCode sets the app's success code. Default DefaultSuccessCode.
func WithSuccessCode(code string) Option { return func(c *config) { c.successCode = code } }

// WithEncoding sets the app's value encoding. Default Plain().
func WithEncoding(e Encoding) Option { return func(c *config) { c.encoding = e } }

// WithClock sets the local clock (the t field, reply checks, potatocloud time). Default time.Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithSafeCode sets the safe_code nonce generator of logins. Default: 16 hex characters from
// crypto/rand.
func WithSafeCode(f func() string) Option { return func(c *config) { c.safeCode = f } }

// WithMaxResponseBytes sets the largest reply body read. Default DefaultMaxResponseBytes.
func WithMaxResponseBytes(n int64) Option { return func(c *config) { c.maxResponseBytes = n } }

// WithPotato configures the potatocloud calls (PotatoLogin, CreateCardMy, GetCardMyList).
func WithPotato(p PotatoConfig) Option { return func(c *config) { c.potato = &p } }

// WithMachineCode sets how Login computes the machine code when none is passed.
// Default: MachineCodeOptions{} (salt DefaultMachineCodeSalt, md5).
func WithMachineCode(o MachineCodeOptions) Option { return func(c *config) { c.machineCode = o } }
