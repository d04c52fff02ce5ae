package kami

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// HeartbeatSession is what a managed heartbeat keeps alive: a statecode, and the card and
// machine code to send with beats and to log in again with (Relogin).
type HeartbeatSession struct {
	Statecode   string // the login's statecode (required)
	Card        string // sent with each beat unless OmitCard; needed for Relogin
	MachineCode string // the machine code to log in again with (Relogin)
}

// HeartbeatOptions configures the managed heartbeat. Zero fields take the documented defaults.
type HeartbeatOptions struct {
	// Validity is the app's 登录状态码有效期: how long the server keeps a statecode after the
	// last beat. It sets the default Interval (half of it) and when an outage becomes lost.
	// Default: twice the Interval (60 s with the default interval).
	Validity time.Duration
	// Interval between beats. Default Validity/2, or 30 s. Must be below Validity. Beats come up
	// to 10 % early, never late, so a fleet spreads out.
	Interval time.Duration
	// OmitCard: do not send the card with each beat (it is sent by default when known).
	OmitCard bool
	// Timeout of each attempt of a beat. Default: the client's.
	Timeout time.Duration
	// InitialBackoff is the first retry delay after a transient failure. Default 1 s.
	InitialBackoff time.Duration
	// MaxBackoff is the longest retry delay. Default the smaller of Interval and Validity/4.
	MaxBackoff time.Duration
	// Immediate: beat once right away instead of after the first interval.
	Immediate bool
	// Relogin: log in again (same card and machine code) when the server answers 状态码不存在,
	// i.e. it dropped the session (a restart without persistence, kicked sessions) while the card
	// may still be valid. If that login fails definitively, or the first beat after it is refused,
	// the loop ends lost. It never extends an outage. Needs the session's Card and MachineCode.
	Relogin bool
	// IsDefinitive overrides which failures end the session. Default IsDefinitiveHeartbeatError.
	IsDefinitive func(error) bool

	// Callbacks run on the loop's goroutine, one at a time; keep them short. A callback that
	// panics is recovered and the loop goes on.

	// OnBeat: a beat renewed the statecode.
	OnBeat func(result *HeartbeatResult, info BeatInfo)
	// OnError: a transient failure; the loop retries by itself.
	OnError func(err error, info RetryInfo)
	// OnLost: the session is over (stop offering the licensed features); the loop has ended.
	OnLost func(err error, reason LostReason)
	// OnRelogin: the session was reopened; later beats use login.Statecode.
	OnRelogin func(login *LoginResult)

	random func() float64 // jitter source, for tests
}

// BeatInfo comes with OnBeat.
type BeatInfo struct {
	// Count of successful beats so far, this one included.
	Count int
	// Statecode is the statecode that was renewed.
	Statecode string
	// Next is when the next beat is due.
	Next time.Duration
}

// RetryInfo comes with OnError.
type RetryInfo struct {
	// Attempt counts consecutive failures.
	Attempt int
	// RetryIn is when the loop tries again.
	RetryIn time.Duration
	// LostIn is the time left before the server drops the session and the loop declares lost.
	LostIn time.Duration
}

// LostReason says why a session was lost.
type LostReason string

const (
	// LostRejected: the server (or a failed reply check) refused the session.
	LostRejected LostReason = "rejected"
	// LostOutage: no answer for the whole validity.
	LostOutage LostReason = "outage"
)

// EndReason says how a heartbeat loop ended.
type EndReason string

const (
	EndStopped EndReason = "stopped" // Stop or Client.Close
	EndAborted EndReason = "aborted" // the context given to StartHeartbeat was cancelled
	EndLost    EndReason = "lost"    // the session is over, see HeartbeatEnd.Err
)

// HeartbeatEnd is how a loop ended.
type HeartbeatEnd struct {
	// Reason says how the loop ended.
	Reason EndReason
	// Err is why the session was lost (EndLost only).
	Err error
	// LostReason is set for EndLost.
	LostReason LostReason
	// Beats is the number of successful beats.
	Beats int
}

// Heartbeat is a running managed heartbeat: it beats at about half the statecode validity,
// retries transient failures with backoff and jitter, and ends lost when the server refuses the
// session or has not answered for the whole validity. It never panics, and after Stop (or the
// context's cancellation) its goroutine has ended.
type Heartbeat struct {
	client *Client
	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	stopping  bool
	end       HeartbeatEnd
	statecode string
	beats     int
	lastBeat  time.Time
	login     *LoginResult
}

// StartHeartbeat starts a managed heartbeat for a statecode (Session.StartHeartbeat is the usual
// way). ctx bounds the loop's life: cancelling it ends the loop with EndAborted.
func (c *Client) StartHeartbeat(ctx context.Context, s HeartbeatSession, opts HeartbeatOptions) (*Heartbeat, error) {
	if s.Statecode == "" {
		return nil, validationError("statecode", "a session with a statecode is required")
	}
	if opts.Relogin && (s.Card == "" || s.MachineCode == "") {
		return nil, validationError("relogin", "relogin needs the session's card and machine code")
	}
	if opts.Validity < 0 || opts.Interval < 0 {
		return nil, validationError("validity", "validity and interval must be positive")
	}
	interval, validity := opts.Interval, opts.Validity
	if interval == 0 {
		interval = 30 * time.Second
		if validity > 0 {
			interval = validity / 2
		}
	}
	if validity == 0 {
		validity = 2 * interval
	}
	if interval >= validity {
		return nil, validationError("interval", fmt.Sprintf("interval (%s) must be below the statecode validity (%s)", interval, validity))
	}
	opts.Interval, opts.Validity = interval, validity
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = min(interval, validity/4)
	}
	if opts.IsDefinitive == nil {
		opts.IsDefinitive = IsDefinitiveHeartbeatError
	}
	if opts.random == nil {
		opts.random = rand.Float64
	}
	lctx, cancel := context.WithCancel(ctx)
	h := &Heartbeat{client: c, cancel: cancel, done: make(chan struct{}), statecode: s.Statecode}
	c.mu.Lock()
	c.heartbeats[h] = struct{}{}
	c.mu.Unlock()
	go h.run(lctx, s, opts)
	return h, nil
}

// Stop ends the loop (cancelling a beat in flight), waits for its goroutine and returns how it
// ended. Safe to call more than once and from any goroutine, and from OnLost; OnBeat, OnError and
// OnRelogin must not call it (they run on the goroutine it waits for): cancel the loop's context
// there instead.
func (h *Heartbeat) Stop() HeartbeatEnd {
	h.mu.Lock()
	h.stopping = true
	ended := h.end.Reason != ""
	h.mu.Unlock()
	if ended { // already over (e.g. called from OnLost, before Done is closed)
		return h.End()
	}
	h.cancel()
	<-h.done
	return h.End()
}

// Done is closed when the loop has ended.
func (h *Heartbeat) Done() <-chan struct{} { return h.done }

// Wait blocks until the loop ends and returns how.
func (h *Heartbeat) Wait() HeartbeatEnd {
	<-h.done
	return h.End()
}

// End is how the loop ended; the zero HeartbeatEnd while it runs.
func (h *Heartbeat) End() HeartbeatEnd {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.end
}

// Statecode is the statecode in use (it changes after a relogin).
func (h *Heartbeat) Statecode() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.statecode
}

// Beats is the number of successful beats so far.
func (h *Heartbeat) Beats() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.beats
}

// LastBeat is when the last beat (or relogin) succeeded; zero before the first.
func (h *Heartbeat) LastBeat() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastBeat
}

// Login is the latest relogin's result, nil when the loop has not logged in again.
func (h *Heartbeat) Login() *LoginResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.login
}

// safely runs a callback; a panic in the app's code must not kill the loop (or the process).
func safely(f func()) {
	defer func() { _ = recover() }()
	f()
}

func (h *Heartbeat) run(ctx context.Context, s HeartbeatSession, o HeartbeatOptions) {
	var lost *HeartbeatEnd
	defer func() {
		// Only a bug in the loop can get here with a panic; report it as a loss, never crash.
		if v := recover(); v != nil {
			lost = &HeartbeatEnd{Reason: EndLost, LostReason: LostRejected,
				Err: &Error{Kind: KindConnection, Code: CodeNetworkError, Message: fmt.Sprintf("heartbeat failed: %v", v)}}
		}
		h.finish(ctx, lost, o)
	}()
	callCtx := ctx
	if o.Timeout > 0 {
		callCtx = withAttemptTimeout(ctx, o.Timeout)
	}
	card := s.Card
	if o.OmitCard {
		card = ""
	}
	nextInterval := func() time.Duration {
		return time.Duration(math.Round(float64(o.Interval) * (1 - 0.1*o.random())))
	}
	// Start of the window in which the server keeps the session: the last contact (the login that
	// created it, then each success). time.Now carries a monotonic reading, so a wall-clock jump
	// neither fakes nor hides an outage.
	windowStart := time.Now()
	attempt := 0
	var lastErr error
	relogin := false  // the next call is a login
	relogged := false // the last contact was a relogin, with no beat since
	delay := nextInterval()
	if o.Immediate {
		delay = 0
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		if delay > 0 {
			timer.Reset(delay)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		} else if ctx.Err() != nil {
			return
		}
		started := time.Now()
		if started.Sub(windowStart) >= o.Validity {
			if lastErr != nil {
				lost = &HeartbeatEnd{Reason: EndLost, Err: lastErr, LostReason: LostOutage}
				return
			}
			// Late without any failed attempt: the machine slept. Only the server knows whether the
			// session survived, so give the network one validity from now and ask.
			windowStart = started
		}
		deadline := windowStart.Add(o.Validity)
		// A call still running when the validity runs out is cut off: the session is gone by then.
		beatCtx, cancelBeat := context.WithDeadline(callCtx, deadline)
		var beat *HeartbeatResult
		var login *LoginResult
		var err error
		if relogin {
			login, err = h.client.login(beatCtx, s.Card, s.MachineCode)
		} else {
			beat, err = h.client.Heartbeat(beatCtx, h.Statecode(), card)
		}
		cancelBeat()
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			windowStart = started // the server renewed the session when the request arrived
			attempt, lastErr, delay = 0, nil, nextInterval()
			relogged = relogin
			h.mu.Lock()
			h.lastBeat = time.Now()
			if relogin {
				h.statecode, h.login = login.Statecode, login
			} else {
				h.beats++
			}
			count, statecode := h.beats, h.statecode
			h.mu.Unlock()
			if relogin {
				relogin = false
				if o.OnRelogin != nil {
					safely(func() { o.OnRelogin(login) })
				}
			} else if o.OnBeat != nil {
				safely(func() { o.OnBeat(beat, BeatInfo{Count: count, Statecode: statecode, Next: delay}) })
			}
			continue
		}
		lostIn := time.Until(deadline)
		if lostIn <= 0 {
			if lastErr == nil {
				lastErr = &Error{Kind: KindTimeout, Code: CodeTimeout, Phase: PhaseUnknown, Err: err,
					Message: fmt.Sprintf("no answer from the server for %s: the session has expired", o.Validity)}
			}
			lost = &HeartbeatEnd{Reason: EndLost, Err: lastErr, LostReason: LostOutage}
			return
		}
		if o.IsDefinitive(err) {
			// Offer the refusal to relogin once: not for a failed login, nor right after one.
			if o.Relogin && !relogin && !relogged && errors.Is(err, CodeStatecodeNotFound) {
				relogin, delay = true, 0
				continue
			}
			lost = &HeartbeatEnd{Reason: EndLost, Err: err, LostReason: LostRejected}
			return
		}
		attempt++
		lastErr = err
		// Never past the deadline: the next attempt then finds the window closed (outage).
		delay = min(BackoffDelay(attempt, err, o.InitialBackoff, o.MaxBackoff, o.random()), lostIn)
		if o.OnError != nil {
			info := RetryInfo{Attempt: attempt, RetryIn: delay, LostIn: lostIn}
			safely(func() { o.OnError(err, info) })
		}
	}
}

// finish records the end once, unregisters from the client, then reports a loss.
func (h *Heartbeat) finish(ctx context.Context, lost *HeartbeatEnd, o HeartbeatOptions) {
	h.mu.Lock()
	end := HeartbeatEnd{Reason: EndAborted}
	switch {
	case lost != nil:
		end = *lost
	case h.stopping:
		end.Reason = EndStopped
	}
	end.Beats = h.beats
	h.end = end
	h.mu.Unlock()
	h.client.mu.Lock()
	delete(h.client.heartbeats, h)
	h.client.mu.Unlock()
	h.cancel()
	if lost != nil && o.OnLost != nil {
		safely(func() { o.OnLost(end.Err, end.LostReason) })
	}
	close(h.done)
}

// definitiveHeartbeatCodes are server answers after which beating again cannot help: the
// session or the card is gone, the device or app is refused, or the app is misconfigured.
var definitiveHeartbeatCodes = map[Code]bool{
	CodeStatecodeNotFound: true, CodeStatecodeRequired: true, CodeCardRequired: true,
	CodeCardNotFound: true, CodeCardDisabled: true, CodeCardExpired: true,
	CodeCardUsesExhausted: true, CodeCardLoginForbidden: true, CodeCardNotBound: true,
	CodeDeviceRequired: true, CodeDeviceInvalid: true, CodeDeviceMismatch: true,
	CodeIPMismatch: true, CodeProvinceMismatch: true, CodeCityMismatch: true,
	CodeAppDisabled: true, CodeEndpointDisabled: true, CodeEndpointNotFound: true,
	CodeSignatureRequired: true, CodeSignatureInvalid: true, CodeTimestampRequired: true,
}

// IsDefinitiveHeartbeatError reports whether a heartbeat failure ends the session: the server
// codes above (unless the HTTP status says the server itself failed), and every failed
// client-side check of a reply or of our own arguments. Everything else (network, timeouts, 5xx,
// 429, garbled replies, 验证数据已失效,请重试, unknown messages) is transient.
func IsDefinitiveHeartbeatError(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Kind {
	case KindAPI, KindRateLimit:
		if e.HTTPStatus >= 500 || e.HTTPStatus == 429 || e.HTTPStatus == 408 {
			return false
		}
		return definitiveHeartbeatCodes[e.Code]
	case KindVerification, KindValidation:
		return true
	}
	return false
}

// BackoffDelay is the delay before retry attempt (1-based): exponential with equal jitter (half
// fixed, half random by r in [0,1)) so a fleet that lost the server together does not come back
// in step, yet each still retries soon. A rate limit's RetryAfter is honoured when longer.
func BackoffDelay(attempt int, err error, initial, maxDelay time.Duration, r float64) time.Duration {
	limit := float64(initial) * math.Pow(2, float64(max(0, attempt-1)))
	limit = math.Min(float64(maxDelay), limit)
	delay := time.Duration(math.Round(limit/2 + r*limit/2))
	var e *Error
	if errors.As(err, &e) && e.Kind == KindRateLimit && e.RetryAfter > delay {
		return e.RetryAfter
	}
	return delay
}
