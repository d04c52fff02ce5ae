package kami

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Client talks to one Kami Verify app (T3 family, and potatocloud when configured). It is safe
// for concurrent use; create one per app and reuse it.
type Client struct {
	appKey           string
	routes           Routes
	codec            codec
	http             *http.Client
	ownHTTP          bool
	t3               *rotation
	timeout          time.Duration
	maxClockSkew     time.Duration
	tokenCheck       TokenCheck
	successCode      string
	now              func() time.Time
	safeCode         func() string
	maxResponseBytes int64
	machineCode      MachineCodeOptions
	potato           *potatoClient

	mu         sync.Mutex
	heartbeats map[*Heartbeat]struct{}
}

var urlPattern = regexp.MustCompile(`(?i)^https?://\S+$`)

func validateBaseURLs(urls []string) ([]string, error) {
	out := make([]string, 0, len(urls))
	for _, u := range urls {
		if !urlPattern.MatchString(u) {
			return nil, validationError("baseURL", "baseURL "+quote(u)+" is not an http(s) URL")
		}
		out = append(out, strings.TrimRight(u, "/"))
	}
	return out, nil
}

func quote(s string) string { return `"` + s + `"` }

// New returns a client for the app with this APPKEY (never sent; it signs requests and verifies
// tokens) whose endpoints live at baseURL + routes. Bad options fail here with a KindValidation
// error, before any I/O.
func New(baseURL, appKey string, routes Routes, opts ...Option) (*Client, error) {
	cfg := config{
		timeout:          DefaultTimeout,
		maxRetries:       DefaultMaxRetries,
		maxClockSkew:     DefaultMaxClockSkew,
		successCode:      DefaultSuccessCode,
		now:              time.Now,
		maxResponseBytes: DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	hosts, err := validateBaseURLs(append([]string{baseURL}, cfg.fallbacks...))
	if err != nil {
		return nil, err
	}
	if appKey == "" {
		return nil, validationError("appKey", "appKey must be a non-empty string")
	}
	switch {
	case cfg.timeout <= 0:
		return nil, validationError("timeout", "timeout must be positive")
	case cfg.maxRetries < 0:
		return nil, validationError("maxRetries", "maxRetries must not be negative")
	case cfg.maxResponseBytes <= 0:
		return nil, validationError("maxResponseBytes", "maxResponseBytes must be positive")
	case cfg.successCode == "":
		return nil, validationError("successCode", "successCode must not be empty")
	case cfg.now == nil:
		return nil, validationError("clock", "the clock must not be nil")
	case cfg.tokenCheck < TokenAuto || cfg.tokenCheck > TokenOff:
		return nil, validationError("tokenCheck", "unknown token check")
	}
	c, err := newCodec(cfg.encoding)
	if err != nil {
		return nil, validationError("encoding", "invalid encoding: "+err.Error())
	}
	client := &Client{
		appKey:           appKey,
		routes:           make(Routes, len(routes)),
		codec:            c,
		http:             cfg.httpClient,
		t3:               &rotation{hosts: hosts, maxRetries: cfg.maxRetries},
		timeout:          cfg.timeout,
		maxClockSkew:     cfg.maxClockSkew,
		tokenCheck:       cfg.tokenCheck,
		successCode:      cfg.successCode,
		now:              cfg.now,
		safeCode:         cfg.safeCode,
		maxResponseBytes: cfg.maxResponseBytes,
		machineCode:      cfg.machineCode,
		heartbeats:       map[*Heartbeat]struct{}{},
	}
	for ep, route := range routes {
		client.routes[ep] = route
	}
	if client.http == nil {
		client.http, client.ownHTTP = defaultHTTPClient(), true
	}
	if client.safeCode == nil {
		client.safeCode = randomSafeCode
	}
	if cfg.potato != nil {
		if client.potato, err = newPotatoClient(client, *cfg.potato, hosts); err != nil {
			return nil, err
		}
	}
	return client, nil
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DefaultConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t}
}

func randomSafeCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Close stops the client's managed heartbeats (waiting for their goroutines to end) and closes
// the idle connections of the HTTP client it created (a client given with WithHTTPClient is left
// alone). The client may still be used afterwards; new connections are then opened.
func (c *Client) Close() {
	c.mu.Lock()
	running := make([]*Heartbeat, 0, len(c.heartbeats))
	for hb := range c.heartbeats {
		running = append(running, hb)
	}
	c.mu.Unlock()
	for _, hb := range running {
		hb.Stop()
	}
	if c.ownHTTP {
		c.http.CloseIdleConnections()
	}
}

// Reply is a decoded T3 reply of Client.Call.
type Reply struct {
	// Fields is the decoded JSON object; numbers are json.Number.
	Fields map[string]any
	// HTTPStatus of the answer.
	HTTPStatus int
	// SignText is the pre-hash sign text of the request (the two-way token includes it).
	SignText string
	resp     *httpResponse
}

// Call signs and sends any T3-family endpoint with its parameters in order (t and s are added),
// with failover, and returns the decoded reply, whatever its code: Client.Login and the other
// methods are built on it, and an endpoint a server adds later needs only its route. Calls to
// endpoints outside the built-in table are treated as not idempotent (never resent once they may
// have reached a server).
func (c *Client) Call(ctx context.Context, endpoint Endpoint, params ...Param) (*Reply, error) {
	route := c.routes[endpoint]
	if route == "" {
		return nil, validationError("routes."+string(endpoint), "no route configured for "+string(endpoint))
	}
	if !strings.HasPrefix(route, "/") {
		route = "/" + route
	}
	fields, text, err := signRequest(params, c.appKey, c.codec, c.now().Unix())
	if err != nil {
		return nil, validationError(string(endpoint), "a value cannot be encoded: "+err.Error())
	}
	body := formBody(fields)
	resp, err := c.t3.send(ctx, endpoints[endpoint].idempotent, func(ctx context.Context, host string) (*httpResponse, error) {
		return c.attempt(ctx, host+route, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body)
	})
	if err != nil {
		return nil, err
	}
	decoded, err := decodeT3Body(resp, c.codec)
	if err != nil {
		return nil, err
	}
	return &Reply{Fields: decoded, HTTPStatus: resp.status, SignText: text, resp: resp}, nil
}

// succeeded reports whether the reply's code is the client's success code.
func (c *Client) succeeded(r *Reply) bool { return isSuccess(r.Fields["code"], c.successCode) }

// callOK is Call, failing with the typed error unless the reply's code is the success code.
func (c *Client) callOK(ctx context.Context, endpoint Endpoint, params ...Param) (*Reply, error) {
	r, err := c.Call(ctx, endpoint, params...)
	if err != nil {
		return nil, err
	}
	if !c.succeeded(r) {
		return nil, t3Error(r.Fields, r.resp)
	}
	return r, nil
}

func requireNonEmpty(field, value string) error {
	if value == "" {
		return validationError(field, field+" must be a non-empty string")
	}
	return nil
}

func validateIMEI(imei string) error {
	if err := requireNonEmpty("imei", imei); err != nil {
		return err
	}
	if strings.Contains(imei, "'") {
		return validationError("imei", "imei must not contain ' (机器码不合法,因为存在'号)")
	}
	return nil
}
