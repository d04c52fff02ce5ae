package kami

import (
	"errors"
	"strings"
	"time"
)

//go:generate go run ./internal/cmd/genmessages ../../spec/vectors/messages.json messages_gen.go

// Code is a stable machine code carried by every error of this package, the same codes as the
// TypeScript SDK's (docs/errors.md). A Code is itself an error value so that
//
//	errors.Is(err, kami.CodeCardExpired)
//
// matches any *Error with that code, however deeply wrapped.
type Code string

// Error implements error, so a Code can be the target of errors.Is. It is the bare code, so a
// Code prints as itself.
func (c Code) Error() string { return string(c) }

// Codes of failures that are not server messages. The server codes (CodeCardExpired, ...) are
// generated from spec/vectors/messages.json into messages_gen.go.
const (
	CodeNetworkError         Code = "NETWORK_ERROR"
	CodeTimeout              Code = "TIMEOUT"
	CodeAborted              Code = "ABORTED"
	CodeHTTPError            Code = "HTTP_ERROR"
	CodeResponseDecodeFailed Code = "RESPONSE_DECODE_FAILED"
	CodeResponseInvalidJSON  Code = "RESPONSE_INVALID_JSON"
	CodeResponseMissingField Code = "RESPONSE_MISSING_FIELD"
	CodeTokenMismatch        Code = "TOKEN_MISMATCH"
	CodeStatecodeMismatch    Code = "STATECODE_MISMATCH"
	CodeSafeCodeMismatch     Code = "SAFE_CODE_MISMATCH"
	CodeClockSkew            Code = "CLOCK_SKEW"
	CodeInvalidArgument      Code = "INVALID_ARGUMENT"
)

// Kind is the family of an error, the Go counterpart of the TypeScript error classes. A Kind is
// an error value too: errors.Is(err, kami.KindConnection) is true for connection errors and
// timeouts, errors.Is(err, kami.KindAPI) for server errors including rate limits.
type Kind string

const (
	// KindAPI: the server answered with an error message (ServerMessage, ServerCode, HTTPStatus).
	KindAPI Kind = "api"
	// KindRateLimit: throttled (请求过于频繁 or HTTP 429); RetryAfter is set when the server said.
	// Also matches KindAPI.
	KindRateLimit Kind = "rate_limit"
	// KindConnection: no usable answer arrived (Phase says whether it provably never left).
	KindConnection Kind = "connection"
	// KindTimeout: an attempt ran out of time (code TIMEOUT). Also matches KindConnection.
	KindTimeout Kind = "timeout"
	// KindAborted: the caller's context was cancelled or its deadline passed (code ABORTED); the
	// context's error is wrapped, so errors.Is(err, context.Canceled) works.
	KindAborted Kind = "aborted"
	// KindResponse: an answer arrived but is unusable (HTTPStatus, Body excerpt).
	KindResponse Kind = "response"
	// KindVerification: the answer failed a client-side check (token, statecode, clock, safe_code).
	KindVerification Kind = "verification"
	// KindValidation: the caller passed something the protocol cannot carry (Field); no I/O happened.
	KindValidation Kind = "validation"
)

// Error implements error, so a Kind can be the target of errors.Is. It is the bare kind.
func (k Kind) Error() string { return string(k) }

// Phase says how far a failed request got.
type Phase string

const (
	// PhaseConnect: the request provably never reached a server (refused, DNS, connect timeout),
	// so even a login may be resent to another host.
	PhaseConnect Phase = "connect"
	// PhaseUnknown: the request may have arrived.
	PhaseUnknown Phase = "unknown"
)

// Error is the one error type of this package. Use errors.As to read its fields, or errors.Is
// with a Code or a Kind.
type Error struct {
	// Kind is the error's family.
	Kind Kind
	// Code is the stable machine code.
	Code Code
	// Message is a human-readable description (for KindAPI the server's text, or the code).
	Message string
	// ServerMessage is the server's original text, untouched (e.g. 卡密已到期). KindAPI only.
	ServerMessage string
	// ServerCode is the reply's code field as sent ("201", "403"), "" when absent. KindAPI only.
	ServerCode string
	// HTTPStatus of the reply, 0 when none arrived.
	HTTPStatus int
	// RetryAfter is the server's Retry-After (KindRateLimit), 0 when it sent none.
	RetryAfter time.Duration
	// Phase of a KindConnection / KindTimeout error.
	Phase Phase
	// Field names the offending argument of a KindValidation error (e.g. "imei", "routes.login").
	Field string
	// Body is the first 512 bytes of an unusable reply (KindResponse). Replies never hold our secrets.
	Body string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns "kami: CODE: message".
func (e *Error) Error() string {
	if e.Message == "" || e.Message == string(e.Code) {
		return "kami: " + string(e.Code)
	}
	return "kami: " + string(e.Code) + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is this error's Code or Kind (rate limits are also KindAPI,
// timeouts also KindConnection).
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Code:
		return e.Code == t
	case Kind:
		return e.Kind == t ||
			(t == KindAPI && e.Kind == KindRateLimit) ||
			(t == KindConnection && e.Kind == KindTimeout)
	}
	return false
}

// CodeOf returns the Code of the first *Error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func validationError(field, message string) *Error {
	return &Error{Kind: KindValidation, Code: CodeInvalidArgument, Field: field, Message: message}
}

func responseError(code Code, message string, status int, body string, cause error) *Error {
	if len(body) > 512 {
		body = body[:512]
	}
	return &Error{Kind: KindResponse, Code: code, Message: message, HTTPStatus: status, Body: body, Err: cause}
}

func verificationError(code Code, message string) *Error {
	return &Error{Kind: KindVerification, Code: code, Message: message}
}

func missingField(name string) *Error {
	return responseError(CodeResponseMissingField, "响应数据缺少必要字段: "+name, 0, "", nil)
}

// T3CodeForMessage returns the code of a T3-family error text (surrounding whitespace ignored),
// and false when the text is not a documented one.
func T3CodeForMessage(message string) (Code, bool) {
	c, ok := t3Messages[strings.TrimSpace(message)]
	return c, ok
}

// PotatoCodeForMessage returns the code of a potatocloud error text, and false when unknown.
func PotatoCodeForMessage(message string) (Code, bool) {
	c, ok := potatoMessages[strings.TrimSpace(message)]
	return c, ok
}

// t3APIError builds the error of a T3-family error body ({code, msg}).
func t3APIError(message, serverCode string, status int, retryAfter time.Duration) *Error {
	code, ok := T3CodeForMessage(message)
	if !ok {
		code = codeUnknownMessage
	}
	return apiError(code, message, serverCode, status, retryAfter)
}

// potatoAPIError builds the error of a potatocloud envelope whose code is not 200: a known text
// wins, else the envelope code decides.
func potatoAPIError(message, serverCode string, status int, retryAfter time.Duration) *Error {
	code, ok := PotatoCodeForMessage(message)
	if !ok {
		if code, ok = potatoEnvelopeFallback[serverCode]; !ok {
			code = codeUnknownMessage
		}
	}
	return apiError(code, message, serverCode, status, retryAfter)
}

func apiError(code Code, message, serverCode string, status int, retryAfter time.Duration) *Error {
	e := &Error{Kind: KindAPI, Code: code, Message: message, ServerMessage: message, ServerCode: serverCode, HTTPStatus: status}
	if e.Message == "" {
		e.Message = string(code)
	}
	if code == CodeRateLimited || status == 429 {
		e.Kind, e.Code, e.RetryAfter = KindRateLimit, CodeRateLimited, retryAfter
	}
	return e
}
