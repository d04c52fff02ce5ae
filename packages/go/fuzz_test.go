package kami

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// Native fuzz tests for the codecs and the reply decoder. `go test` runs the seeds; the package's
// test script also runs each with -fuzz for a few seconds.

const fuzzAlphabet = "AXKFeGlIUgCyOicZL0oaQ8kpzuYvmtSrdjP5TVMqEb6hNDf4W2sxwHJ93n_17-RB"

func FuzzAlphabetCodec(f *testing.F) {
	for _, seed := range []string{"", "KM3Q5T7W9Y2B4D6F", "中文卡密", "👨‍👩‍👧", `{"code":"200"}`, "=="} {
		f.Add(seed)
	}
	c, err := newAlphabetCodec(fuzzAlphabet)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// Arbitrary input never panics the decoder.
		_, _ = c.decodeText(text)
		if !utf8.ValidString(text) {
			return
		}
		got, err := c.decodeText(c.encodeText(text))
		if err != nil || got != text {
			t.Fatalf("round trip of %q: %q %v", text, got, err)
		}
		hexValue, _ := c.encodeValue(text)
		if len(hexValue)%2 != 0 {
			t.Fatalf("odd request hex %q", hexValue)
		}
	})
}

func fuzzKey(f *testing.F) *rsa.PrivateKey {
	var k rsaKeyFile
	data, err := os.ReadFile(filepath.Join(vectorsDir, "rsa-test-key.json"))
	if err != nil {
		f.Fatal(err)
	}
	if err := jsonUnmarshal(data, &k); err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode([]byte(k.PrivateKeyPkcs8Pem))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		f.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

func FuzzRSAResponse(f *testing.F) {
	key := fuzzKey(f)
	for _, seed := range []string{"", `{"code":"200","msg":"在线"}`, string(make([]byte, 118))} {
		f.Add(encryptResponse(key, seed))
	}
	f.Add("not base64 at all")
	f.Fuzz(func(t *testing.T, body string) {
		text, err := rsaDecryptResponse(body, &key.PublicKey)
		if err == nil && !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 accepted from %q", body)
		}
	})
}

func FuzzRSAValueRoundTrip(f *testing.F) {
	key := fuzzKey(f)
	for _, seed := range []string{"", "KM3Q5T7W9Y2B4D6F", string(make([]byte, 117)), "中文🔑"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if len(value) > 1000 {
			return
		}
		hexText, err := rsaEncryptValue(value, &key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if got := decryptValue(t, key, hexText); got != value {
			t.Fatalf("decrypted %q, want %q", got, value)
		}
		// And the reply direction, which the server would produce with the private key.
		if utf8.ValidString(value) {
			if got, err := rsaDecryptResponse(encryptResponse(key, value), &key.PublicKey); err != nil || got != value {
				t.Fatalf("reply %q: %q %v", value, got, err)
			}
		}
	})
}

func FuzzDecodeT3Body(f *testing.F) {
	alpha, _ := newAlphabetCodec(fuzzAlphabet)
	f.Add(200, `{"code":"200","time":1741700000}`, false)
	f.Add(502, "<html>", false)
	f.Add(200, alpha.encodeText(`{"code":201,"msg":"卡密已到期"}`), true)
	f.Add(200, `{"code":200} trailing`, false)
	f.Fuzz(func(t *testing.T, status int, body string, useAlphabet bool) {
		var c codec = plainCodec{}
		if useAlphabet {
			c = alpha
		}
		resp := &httpResponse{status: status, body: body}
		got, err := decodeT3Body(resp, c)
		if err == nil && got == nil {
			t.Fatal("nil object without an error")
		}
		if err != nil && CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && !isSuccess(got["code"], DefaultSuccessCode) {
			if e := t3Error(got, &httpResponse{status: status, body: body}); CodeOf(e) == "" {
				t.Fatalf("untyped T3 error %v", e)
			}
		}
	})
}

func FuzzFormBody(f *testing.F) {
	f.Add("kami", "a&b=c+d %")
	f.Add("中文", "😀 é")
	f.Fuzz(func(t *testing.T, name, value string) {
		if !utf8.ValidString(name) || !utf8.ValidString(value) || name == "" {
			return
		}
		got, err := url.ParseQuery(formBody([]Param{{name, value}, {"t", "1"}}))
		if err != nil || len(got[name]) == 0 || got[name][0] != value && name != "t" {
			t.Fatalf("%q=%q came back as %v (%v)", name, value, got, err)
		}
	})
}

func FuzzParseBeijingTime(f *testing.F) {
	f.Add("2026-04-10 12:00:00")
	f.Add("2026-02-30 12:00:00")
	f.Fuzz(func(t *testing.T, text string) {
		if at, ok := ParseBeijingTime(text); ok && formatBeijingDateTime(at) != text {
			t.Fatalf("%q parsed to %v, formats as %q", text, at, formatBeijingDateTime(at))
		}
	})
}
