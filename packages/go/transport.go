package kami

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

type attemptTimeoutKey struct{}

// withAttemptTimeout overrides the client's per-attempt timeout for calls made with ctx (the
// managed heartbeat's Timeout option).
func withAttemptTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, attemptTimeoutKey{}, d)
}

// attempt sends one request to one host. Any HTTP status is a normal answer; the error is always
// an *Error of kind aborted, timeout or connection.
func (c *Client) attempt(ctx context.Context, url string, header http.Header, body string) (*httpResponse, error) {
	timeout := c.timeout
	if d, ok := ctx.Value(attemptTimeoutKey{}).(time.Duration); ok && d > 0 {
		timeout = d
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return nil, &Error{Kind: KindConnection, Code: CodeNetworkError, Phase: PhaseConnect,
			Message: "连接错误: " + err.Error(), Err: err}
	}
	req.Header = header
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, classify(ctx, actx, url, timeout, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponseBytes+1))
	if err != nil {
		return nil, classify(ctx, actx, url, timeout, err)
	}
	if int64(len(data)) > c.maxResponseBytes {
		return nil, responseError(CodeHTTPError, fmt.Sprintf("the reply is larger than %d bytes", c.maxResponseBytes),
			resp.StatusCode, string(data), nil)
	}
	return &httpResponse{status: resp.StatusCode, header: resp.Header, body: string(data)}, nil
}

// classify turns a net/http failure into the caller's abort, a timeout, or a connection error,
// with PhaseConnect only when the request provably never left (dial or DNS failure).
func classify(ctx, actx context.Context, url string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return &Error{Kind: KindAborted, Code: CodeAborted, Message: "the request was aborted", Err: ctx.Err()}
	}
	phase := PhaseUnknown
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || (errors.As(err, &opErr) && opErr.Op == "dial") {
		phase = PhaseConnect
	}
	if actx.Err() == context.DeadlineExceeded {
		return &Error{Kind: KindTimeout, Code: CodeTimeout, Phase: phase, Err: err,
			Message: fmt.Sprintf("请求超时: no answer from %s within %s", url, timeout)}
	}
	return &Error{Kind: KindConnection, Code: CodeNetworkError, Phase: phase, Err: err,
		Message: fmt.Sprintf("连接错误: %s: %v", url, err)}
}

// rotation rotates hosts the way the official SDKs do (next host on no answer, 408 or 5xx), but
// only resends a non-idempotent call (login, unbind, card creation) when it provably never
// reached a server: a connect-phase failure or a 408. The host that answered becomes preferred.
type rotation struct {
	hosts      []string
	preferred  atomic.Int32
	maxRetries int
}

func (r *rotation) send(ctx context.Context, idempotent bool,
	do func(ctx context.Context, host string) (*httpResponse, error)) (*httpResponse, error) {
	var lastErr error
	var lastResp *httpResponse
	rounds := 0
	if idempotent {
		rounds = r.maxRetries
	}
	n := len(r.hosts)
	for round := 0; round <= rounds; round++ {
		if round > 0 {
			if err := sleep(ctx, retryDelay(round, lastResp)); err != nil {
				return nil, err
			}
		}
		start := int(r.preferred.Load())
		for i := 0; i < n; i++ {
			index := (start + i) % n
			resp, err := do(ctx, r.hosts[index])
			if err == nil {
				if shouldFailOver(resp.status, idempotent) {
					lastResp, lastErr = resp, nil
					continue
				}
				r.preferred.Store(int32(index))
				return resp, nil
			}
			var e *Error
			if !errors.As(err, &e) || (e.Kind != KindConnection && e.Kind != KindTimeout) {
				return nil, err // aborted, or not a transport failure
			}
			lastResp, lastErr = nil, err
			if !idempotent && e.Phase != PhaseConnect {
				return nil, err
			}
		}
	}
	if lastResp != nil {
		return lastResp, nil
	}
	return nil, lastErr
}

func shouldFailOver(status int, idempotent bool) bool {
	return status == 408 || (idempotent && (status >= 500 || status == 429))
}

// retryDelay is exponential backoff with jitter, honouring a 429's Retry-After up to a minute.
func retryDelay(round int, last *httpResponse) time.Duration {
	if last != nil && last.status == 429 {
		if d, ok := parseRetryAfter(last.header.Get("Retry-After"), time.Now()); ok && d <= time.Minute {
			return d
		}
	}
	limit := min(8*time.Second, 500*time.Millisecond<<(round-1))
	return limit/2 + time.Duration(rand.Float64()*float64(limit/2))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &Error{Kind: KindAborted, Code: CodeAborted, Message: "the request was aborted", Err: ctx.Err()}
	}
}
