package kami

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
)

// Param is one request field. Order matters: the T3 signature is over the fields in the order
// they are sent, not sorted.
type Param struct {
	Name  string // field name
	Value string // value before encoding
}

func md5Hex(text string) string {
	sum := md5.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

// signText is `k1=v1&k2=v2&...&t=T&APPKEY`: every field but s, in order, values exactly as sent
// (after the codec, before URL encoding).
func signText(fields []Param, appKey string) string {
	var b strings.Builder
	for _, f := range fields {
		if f.Name == "s" {
			continue
		}
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(f.Value)
		b.WriteByte('&')
	}
	b.WriteString(appKey)
	return b.String()
}

// signRequest encodes each value once with the codec, appends t, signs exactly those values and
// appends s (encoded too when a codec is on). It returns the fields to send and the sign text.
func signRequest(params []Param, appKey string, c codec, timestamp int64) ([]Param, string, error) {
	fields := make([]Param, 0, len(params)+2)
	for _, p := range params {
		v, err := c.encodeValue(p.Value)
		if err != nil {
			return nil, "", err
		}
		fields = append(fields, Param{p.Name, v})
	}
	t, err := c.encodeValue(strconv.FormatInt(timestamp, 10))
	if err != nil {
		return nil, "", err
	}
	fields = append(fields, Param{"t", t})
	text := signText(fields, appKey)
	s, err := c.encodeValue(md5Hex(text))
	if err != nil {
		return nil, "", err
	}
	return append(fields, Param{"s", s}), text, nil
}

// formBody is the application/x-www-form-urlencoded body, each name and value escaped like
// JavaScript's encodeURIComponent (space as %20), so every SDK sends the same bytes.
func formBody(fields []Param) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		escapeComponent(&b, f.Name)
		b.WriteByte('=')
		escapeComponent(&b, f.Value)
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func escapeComponent(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}
