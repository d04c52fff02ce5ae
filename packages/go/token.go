package kami

import (
	"crypto/subtle"
	"fmt"
	"math"
	"strings"
	"time"
)

// TokenCheck says which login token formula the client accepts.
type TokenCheck int

const (
	// TokenAuto accepts either formula (the default; both need the APPKEY).
	TokenAuto TokenCheck = iota
	// TokenBasic accepts md5(id + APPKEY + end_time + date) only.
	TokenBasic
	// TokenSigned accepts the two-way formula md5(id + APPKEY + signText + end_time + date) only.
	TokenSigned
	// TokenOff skips the token, statecode and safe_code checks (the clock check stays).
	TokenOff
)

// loginToken is md5(id + appKey + signText + endTime + date); signText is "" for the basic formula.
func loginToken(id, appKey, signText, endTime, date string) string {
	return md5Hex(id + appKey + signText + endTime + date)
}

// statecodeOf is md5(token + time), time being the reply's unix seconds as sent.
func statecodeOf(token, time string) string { return md5Hex(token + time) }

func equalConstantTime(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// loginProof is what a login reply must prove, every field as sent.
type loginProof struct {
	id, endTime, token, statecode, time, date string
	safeCode                                  string
	hasSafeCode                               bool
}

// verifyLogin checks the token (computed from the reply's own date, never the local minute),
// the statecode and the safe_code echo.
func verifyLogin(p loginProof, appKey, signText string, check TokenCheck, sentSafeCode string) error {
	if err := verifyToken(p, appKey, signText, check); err != nil {
		return err
	}
	if !p.hasSafeCode || p.safeCode != sentSafeCode {
		return verificationError(CodeSafeCodeMismatch, "safe_code was not echoed unchanged")
	}
	return nil
}

// verifyToken checks the token and the statecode of a reply that opens a session (a card
// login's, or user_login's, which carries no safe_code).
func verifyToken(p loginProof, appKey, signText string, check TokenCheck) error {
	token := strings.ToLower(p.token)
	ok := check != TokenSigned && equalConstantTime(loginToken(p.id, appKey, "", p.endTime, p.date), token)
	// The two-way formula is only computed when the basic one did not match.
	if !ok && check != TokenBasic {
		ok = equalConstantTime(loginToken(p.id, appKey, signText, p.endTime, p.date), token)
	}
	if !ok {
		return verificationError(CodeTokenMismatch, "token校验失败: the reply was not produced with this APPKEY")
	}
	if !equalConstantTime(statecodeOf(token, p.time), strings.ToLower(p.statecode)) {
		return verificationError(CodeStatecodeMismatch, "statecode does not match md5(token + time)")
	}
	return nil
}

// checkClockSkew refuses a reply whose time is more than maxSkew from the local clock
// (时间戳校验失败). A negative maxSkew disables the check.
func checkClockSkew(replyTime any, now time.Time, maxSkew time.Duration) error {
	if maxSkew < 0 {
		return nil
	}
	t, ok := fieldFloat(replyTime)
	local := float64(now.Unix())
	if !ok || math.Abs(t-local) > maxSkew.Seconds() {
		return verificationError(CodeClockSkew, fmt.Sprintf("时间戳校验失败: reply time %s is more than %s from local %d",
			fieldText(replyTime), maxSkew, now.Unix()))
	}
	return nil
}
