package kami

import (
	"context"
	"strings"
	"testing"
	"time"
)

// cloud_doc (云文档) against the real server, in plain mode and in an encoded one: the token of a
// live card or account login opens the document; a wrong token, a statecode, and the token of an
// ended or expired session are token无效.

const cloudDocText = "云文档\n第一章: 安装 📦\n\"quotes\" & <tags> a=b"

const cloudDocValidity = 300 // statecodeValiditySeconds

var cloudDocSettings = map[string]any{"cloudDoc": cloudDocText, "statecodeValiditySeconds": cloudDocValidity}

func TestIntegrationCloudDoc(t *testing.T) {
	forEachMode(t, cloudDocSettings, func(t *testing.T, srv *testServer, c *Client) {
		ctx := context.Background()
		card := srv.card(nil)
		s, err := c.Login(ctx, card, "DOC-1")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := c.CloudDoc(ctx, s.Token)
		if err != nil || doc.Content != cloudDocText || fieldText(doc.Raw["msg"]) != cloudDocText {
			t.Fatalf("cloud_doc: %+v %v", doc, err)
		}
		_, err = c.CloudDoc(ctx, strings.Repeat("0", 32))
		mustServerMessage(t, err, CodeTokenInvalid, "token无效")
		_, err = c.CloudDoc(ctx, s.Statecode)
		mustCode(t, err, CodeTokenInvalid)

		// An account login's token opens it too; a password change ends that session.
		user := uniqueUser()
		if _, err := c.Register(ctx, user, "secret-1", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Recharge(ctx, user, srv.card(map[string]any{"type": 0})); err != nil {
			t.Fatal(err)
		}
		login, err := c.UserLogin(ctx, user, "secret-1", "DOC-2")
		if err != nil {
			t.Fatal(err)
		}
		if doc, err = c.CloudDoc(ctx, login.Token); err != nil || doc.Content != cloudDocText {
			t.Fatalf("cloud_doc with an account token: %+v %v", doc, err)
		}
		if _, err := c.ChangePassword(ctx, user, "secret-1", "secret-2"); err != nil {
			t.Fatal(err)
		}
		_, err = c.CloudDoc(ctx, login.Token)
		mustCode(t, err, CodeTokenInvalid)

		// Unbind ends the card's session.
		if _, err := c.Unbind(ctx, card, "DOC-1"); err != nil {
			t.Fatal(err)
		}
		_, err = c.CloudDoc(ctx, s.Token)
		mustCode(t, err, CodeTokenInvalid)

		// A session past its statecode validity.
		other, err := c.Login(ctx, srv.card(nil), "DOC-3")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CloudDoc(ctx, other.Token); err != nil {
			t.Fatalf("cloud_doc before expiry: %v", err)
		}
		srv.advance((cloudDocValidity + 1) * time.Second)
		_, err = c.CloudDoc(ctx, other.Token)
		mustCode(t, err, CodeTokenInvalid)
	})
}
