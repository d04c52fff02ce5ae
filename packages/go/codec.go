package kami

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Encoding is an app's value encoding (the app setting 加密方式). Build one with Plain, Base64 or
// RSA and pass it to WithEncoding. The zero value is Plain.
type Encoding struct {
	mode      string
	alphabet  string
	publicKey string
}

// Plain sends values as they are and reads plain JSON replies (the default).
func Plain() Encoding { return Encoding{mode: "plain"} }

// Base64 is the alphabet-base64 mode: values are UTF-8 → standard base64 → the app's
// 64-character alphabet, sent as uppercase hex; replies come back in the alphabet.
func Base64(alphabet string) Encoding { return Encoding{mode: "base64", alphabet: alphabet} }

// RSA is the RSA mode: values are encrypted with the app's public key (PKCS#1 v1.5, PEM
// "PUBLIC KEY" or "RSA PUBLIC KEY", or bare base64 DER); replies are recovered with it.
func RSA(publicKeyPEM string) Encoding { return Encoding{mode: "rsa", publicKey: publicKeyPEM} }

// codec is what a client does with values and bodies in one encoding mode.
type codec interface {
	mode() string
	// encodeValue encodes one request value. RSA output is randomised: encode once, sign what you send.
	encodeValue(value string) (string, error)
	// decodeResponse turns a reply body into JSON text.
	decodeResponse(body string) (string, error)
}

func newCodec(e Encoding) (codec, error) {
	switch e.mode {
	case "", "plain":
		return plainCodec{}, nil
	case "base64":
		return newAlphabetCodec(e.alphabet)
	case "rsa":
		key, err := parseRSAPublicKey(e.publicKey)
		if err != nil {
			return nil, err
		}
		return rsaCodec{key: key}, nil
	}
	return nil, fmt.Errorf("unknown encoding mode %q", e.mode)
}

type plainCodec struct{}

func (plainCodec) mode() string                               { return "plain" }
func (plainCodec) encodeValue(v string) (string, error)       { return v, nil }
func (plainCodec) decodeResponse(body string) (string, error) { return body, nil }

const stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// alphabetCodec translates between standard base64 and the app's alphabet with two lookup tables.
type alphabetCodec struct {
	toApp [256]byte // standard char → app char (0 = not in the alphabet)
	toStd [256]byte // app char → standard char
}

func validateAlphabet(alphabet string) error {
	if len(alphabet) != 64 {
		return errors.New("a base64 alphabet has exactly 64 characters")
	}
	var seen [256]bool
	for i := 0; i < len(alphabet); i++ {
		ch := alphabet[i]
		if ch < 0x21 || ch > 0x7e || ch == '=' {
			return errors.New(`a base64 alphabet uses printable ASCII other than "="`)
		}
		if seen[ch] {
			return errors.New("a base64 alphabet has no repeated characters")
		}
		seen[ch] = true
	}
	return nil
}

func newAlphabetCodec(alphabet string) (*alphabetCodec, error) {
	if err := validateAlphabet(alphabet); err != nil {
		return nil, err
	}
	c := &alphabetCodec{}
	for i := 0; i < 64; i++ {
		c.toApp[stdAlphabet[i]] = alphabet[i]
		c.toStd[alphabet[i]] = stdAlphabet[i]
	}
	return c, nil
}

func (*alphabetCodec) mode() string { return "base64" }

func translate(text string, table *[256]byte) (string, error) {
	out := make([]byte, len(text))
	for i := 0; i < len(text); i++ {
		ch := text[i]
		if ch == '=' {
			out[i] = ch
			continue
		}
		if out[i] = table[ch]; out[i] == 0 {
			return "", fmt.Errorf("character %q is not in the alphabet", ch)
		}
	}
	return string(out), nil
}

// encodeText is the response form: alphabet base64 of the UTF-8 text.
func (c *alphabetCodec) encodeText(text string) string {
	s, _ := translate(base64.StdEncoding.EncodeToString([]byte(text)), &c.toApp) // every std char maps
	return s
}

// decodeText inverts encodeText; it refuses foreign characters and invalid UTF-8.
func (c *alphabetCodec) decodeText(text string) (string, error) {
	std, err := translate(strings.TrimSpace(text), &c.toStd)
	if err != nil {
		return "", err
	}
	raw, err := decodeBase64(std)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(raw) {
		return "", errors.New("not valid UTF-8")
	}
	return string(raw), nil
}

// encodeValue is the request form: alphabet base64, then its ASCII as UPPERCASE hex.
func (c *alphabetCodec) encodeValue(value string) (string, error) {
	return strings.ToUpper(hex.EncodeToString([]byte(c.encodeText(value)))), nil
}

func (c *alphabetCodec) decodeResponse(body string) (string, error) { return c.decodeText(body) }

// decodeBase64 is standard base64, tolerant like the TypeScript decoder: whitespace ignored,
// padding optional.
func decodeBase64(text string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, text)
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
}

// rsaCodec is the client side of the RSA mode: it only ever holds the public key.
type rsaCodec struct{ key *rsa.PublicKey }

func (rsaCodec) mode() string { return "rsa" }

func (c rsaCodec) encodeValue(value string) (string, error) { return rsaEncryptValue(value, c.key) }

func (c rsaCodec) decodeResponse(body string) (string, error) { return rsaDecryptResponse(body, c.key) }

// parseRSAPublicKey reads SPKI ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY"), PEM or bare base64 DER.
func parseRSAPublicKey(text string) (*rsa.PublicKey, error) {
	var der []byte
	if block, _ := pem.Decode([]byte(strings.TrimSpace(text))); block != nil {
		der = block.Bytes
	} else {
		var err error
		if der, err = decodeBase64(text); err != nil || len(der) == 0 {
			return nil, errors.New("the RSA public key is neither PEM nor base64 DER")
		}
	}
	if key, err := x509.ParsePKIXPublicKey(der); err == nil {
		if rsaKey, ok := key.(*rsa.PublicKey); ok {
			return rsaKey, nil
		}
		return nil, errors.New("the public key is not an RSA key")
	}
	key, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("the RSA public key cannot be parsed: %w", err)
	}
	return key, nil
}

// rsaEncryptValue encrypts a request value: UTF-8 in chunks of k−11 bytes (an empty value is one
// empty chunk), each PKCS#1 v1.5 type 2 with the public key, blocks concatenated, UPPERCASE hex.
func rsaEncryptValue(value string, key *rsa.PublicKey) (string, error) {
	k := key.Size()
	data := []byte(value)
	out := make([]byte, 0, (len(data)/(k-11)+1)*k)
	for start := 0; ; start += k - 11 {
		end := min(start+k-11, len(data))
		block, err := rsa.EncryptPKCS1v15(rand.Reader, key, data[start:end])
		if err != nil {
			return "", err
		}
		out = append(out, block...)
		if end == len(data) {
			break
		}
	}
	return strings.ToUpper(hex.EncodeToString(out)), nil
}

// rsaDecryptResponse recovers a reply: standard base64 of k-byte blocks, each c^e mod n with
// type-1 padding (00 01 FF… 00 data), which is checked and stripped. This is signature-style
// "decryption" with the public key, which crypto/rsa does not offer, hence math/big.
func rsaDecryptResponse(body string, key *rsa.PublicKey) (string, error) {
	data, err := decodeBase64(strings.TrimSpace(body))
	if err != nil {
		return "", err
	}
	k := key.Size()
	if len(data) == 0 || len(data)%k != 0 {
		return "", errors.New("ciphertext is not whole RSA blocks")
	}
	e := big.NewInt(int64(key.E))
	out := make([]byte, 0, len(data))
	em := make([]byte, k)
	var c big.Int
	for at := 0; at < len(data); at += k {
		c.SetBytes(data[at : at+k])
		if c.Cmp(key.N) >= 0 {
			return "", errors.New("RSA block out of range")
		}
		c.Exp(&c, e, key.N).FillBytes(em)
		part, err := unpadType1(em)
		if err != nil {
			return "", err
		}
		out = append(out, part...)
	}
	if !utf8.Valid(out) {
		return "", errors.New("not valid UTF-8")
	}
	return string(out), nil
}

func unpadType1(em []byte) ([]byte, error) {
	if len(em) < 11 || em[0] != 0 || em[1] != 1 {
		return nil, errors.New("bad PKCS#1 padding")
	}
	i := 2
	for ; i < len(em) && em[i] != 0; i++ {
		if em[i] != 0xff {
			return nil, errors.New("bad PKCS#1 padding")
		}
	}
	if i == len(em) || i < 10 {
		return nil, errors.New("bad PKCS#1 padding")
	}
	return em[i+1:], nil
}
