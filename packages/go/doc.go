// Package kami is the Go SDK of Kami Verify: card-key (卡密) software licensing over the T3
// family — every endpoint of spec/catalogue/t3.json but cloud_doc: card login, heartbeats, query,
// unbind, recharge, core data, cloud variables, notice, version, check_update, app signatures and
// the account calls (账号模式) — and the potatocloud card API (login, createCardMy, getCardMyList).
//
// A Client signs every request exactly as sent (plain, alphabet-base64 or RSA value encoding),
// fails over between base URLs without ever resending a login that may have reached a server,
// and verifies each login reply (card or account) before returning it: the clock, the token (both
// formulas, from the reply's own date), the statecode and, for cards, the safe_code echo. A
// Heartbeat keeps a session alive in one goroutine, with backoff, an outage deadline and a lost
// callback. Every failure is a *Error with a stable Code and a Kind, both usable with errors.Is.
//
//	client, err := kami.New("https://verify.example.com", appKey, kami.Routes{
//		kami.EndpointLogin:     "813B2676E9690C89",
//		kami.EndpointHeartbeat: "5D1E0F2A9B3C4D6E",
//	})
//	session, err := client.Login(ctx, card, "")
//	hb, err := session.StartHeartbeat(ctx, kami.HeartbeatOptions{Validity: 10 * time.Minute})
//
// The protocol is described in docs/protocol.md of the repository; the test vectors every SDK
// passes are in spec/vectors.
package kami
