package kami

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vectorsDir is spec/vectors at the repository root, relative to this package.
const vectorsDir = "../../spec/vectors"

func loadVector(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectorsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// vectorHandlers checks one file each. A vector file without a handler fails TestVectors, so a
// new file cannot be skipped silently.
var vectorHandlers = map[string]func(*testing.T){
	"bytes.json":           testBytesVectors,
	"sign-plain.json":      testSignPlainVectors,
	"sign-base64.json":     testSignBase64Vectors,
	"sign-rsa.json":        testSignRSAVectors,
	"alphabet-base64.json": testAlphabetVectors,
	"rsa-test-key.json":    testRSAKeyVectors,
	"rsa-values.json":      testRSAValueVectors,
	"rsa-responses.json":   testRSAResponseVectors,
	"token.json":           testTokenVectors,
	"beijing-time.json":    testBeijingVectors,
	"potato-sign.json":     testPotatoSignVectors,
	"seed-fixtures.json":   testSeedFixtureVectors,
	"messages.json":        testMessageVectors,
}

func TestVectors(t *testing.T) {
	entries, err := os.ReadDir(vectorsDir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		seen++
		handler, ok := vectorHandlers[e.Name()]
		if !ok {
			t.Errorf("spec/vectors/%s has no handler in the Go suite: add one to vectorHandlers", e.Name())
			continue
		}
		t.Run(strings.TrimSuffix(e.Name(), ".json"), handler)
	}
	if seen != len(vectorHandlers) {
		t.Errorf("%d vector files for %d handlers: a file was removed or renamed", seen, len(vectorHandlers))
	}
}

type pairs [][2]string

func (p pairs) params() []Param {
	out := make([]Param, len(p))
	for i, f := range p {
		out[i] = Param{f[0], f[1]}
	}
	return out
}

func assertFields(t *testing.T, got []Param, want pairs) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("fields: got %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Name != want[i][0] || got[i].Value != want[i][1] {
			t.Errorf("field %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func testBytesVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Text, Hex, HexUpper, Base64 string
		}
		Binary []struct{ Hex, Base64 string }
	}
	loadVector(t, "bytes.json", &v)
	for _, c := range v.Cases {
		if got := hex.EncodeToString([]byte(c.Text)); got != c.Hex || strings.ToUpper(got) != c.HexUpper {
			t.Errorf("%q: hex %s, want %s", c.Text, got, c.Hex)
		}
		if got := base64.StdEncoding.EncodeToString([]byte(c.Text)); got != c.Base64 {
			t.Errorf("%q: base64 %s, want %s", c.Text, got, c.Base64)
		}
		if got, err := decodeBase64(c.Base64); err != nil || string(got) != c.Text {
			t.Errorf("decode %q: %q %v", c.Base64, got, err)
		}
	}
	for _, b := range v.Binary {
		raw, _ := hex.DecodeString(b.Hex)
		if got := base64.StdEncoding.EncodeToString(raw); got != b.Base64 {
			t.Errorf("binary %s: %s, want %s", b.Hex, got, b.Base64)
		}
		if got, err := decodeBase64(b.Base64); err != nil || hex.EncodeToString(got) != b.Hex {
			t.Errorf("decode binary %s: %x %v", b.Base64, got, err)
		}
	}
}

type signFile struct {
	AppKey   string
	T        int64
	Alphabet string
	Cases    []struct {
		Name          string
		Params        pairs
		SignText      string
		S             string
		SEncoded      string
		Fields        pairs
		FormBody      string
		EncodedValues []struct {
			Name, Plain, AlphabetBase64, Hex string
		}
		EncryptedValues []struct {
			Name, Plaintext, CiphertextHex string
		}
		SEncrypted struct{ Plaintext, CiphertextHex string }
	}
}

func testSignPlainVectors(t *testing.T) {
	var v signFile
	loadVector(t, "sign-plain.json", &v)
	for _, c := range v.Cases {
		fields, text, err := signRequest(c.Params.params(), v.AppKey, plainCodec{}, v.T)
		if err != nil {
			t.Fatal(err)
		}
		if text != c.SignText || md5Hex(text) != c.S {
			t.Errorf("%s: sign text %q (s %s), want %q (s %s)", c.Name, text, md5Hex(text), c.SignText, c.S)
		}
		assertFields(t, fields, c.Fields)
		if got := formBody(fields); got != c.FormBody {
			t.Errorf("%s: form body\n got %s\nwant %s", c.Name, got, c.FormBody)
		}
	}
}

func testSignBase64Vectors(t *testing.T) {
	var v signFile
	loadVector(t, "sign-base64.json", &v)
	codec, err := newAlphabetCodec(v.Alphabet)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		for _, ev := range c.EncodedValues {
			if got := codec.encodeText(ev.Plain); got != ev.AlphabetBase64 {
				t.Errorf("%s/%s: alphabet base64 %s, want %s", c.Name, ev.Name, got, ev.AlphabetBase64)
			}
			if got, _ := codec.encodeValue(ev.Plain); got != ev.Hex {
				t.Errorf("%s/%s: value %s, want %s", c.Name, ev.Name, got, ev.Hex)
			}
		}
		fields, text, err := signRequest(c.Params.params(), v.AppKey, codec, v.T)
		if err != nil {
			t.Fatal(err)
		}
		if text != c.SignText || md5Hex(text) != c.S {
			t.Errorf("%s: sign text %q, want %q", c.Name, text, c.SignText)
		}
		if got, _ := codec.encodeValue(c.S); got != c.SEncoded {
			t.Errorf("%s: s encoded %s, want %s", c.Name, got, c.SEncoded)
		}
		assertFields(t, fields, c.Fields)
		if got := formBody(fields); got != c.FormBody {
			t.Errorf("%s: form body %s, want %s", c.Name, got, c.FormBody)
		}
	}
}

type rsaKeyFile struct {
	PublicKeySpkiPem, PublicKeyPkcs1Pem, PrivateKeyPkcs8Pem, PrivateKeyPkcs1Pem string
	PublicKeySpkiDerBase64, NHex, EHex, DHex                                    string
}

func testPrivateKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	var k rsaKeyFile
	loadVector(t, "rsa-test-key.json", &k)
	block, _ := pem.Decode([]byte(k.PrivateKeyPkcs8Pem))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

// decryptValue is the server's side of a request value (type-2 padding, private key).
func decryptValue(t *testing.T, key *rsa.PrivateKey, cipherHex string) string {
	t.Helper()
	data, err := hex.DecodeString(cipherHex)
	if err != nil || len(data)%key.Size() != 0 {
		t.Fatalf("ciphertext %q: %v", cipherHex, err)
	}
	var out []byte
	for at := 0; at < len(data); at += key.Size() {
		part, err := rsa.DecryptPKCS1v15(nil, key, data[at:at+key.Size()])
		if err != nil {
			t.Fatalf("decrypt: %v", err)
		}
		out = append(out, part...)
	}
	return string(out)
}

// encryptResponse is the server's side of a reply: type-1 padding raised to d mod n, base64.
func encryptResponse(key *rsa.PrivateKey, text string) string {
	k := key.Size()
	data := []byte(text)
	var out []byte
	for start := 0; ; start += k - 11 {
		end := min(start+k-11, len(data))
		em := make([]byte, k)
		em[1] = 1
		for i := 2; i < k-1-(end-start); i++ {
			em[i] = 0xff
		}
		copy(em[k-(end-start):], data[start:end])
		block := make([]byte, k)
		new(big.Int).Exp(new(big.Int).SetBytes(em), key.D, key.N).FillBytes(block)
		out = append(out, block...)
		if end == len(data) {
			break
		}
	}
	return base64.StdEncoding.EncodeToString(out)
}

func testSignRSAVectors(t *testing.T) {
	var v signFile
	loadVector(t, "sign-rsa.json", &v)
	key := testPrivateKey(t)
	codec := rsaCodec{key: &key.PublicKey}
	for _, c := range v.Cases {
		sent := make([]Param, 0, len(c.EncryptedValues))
		for _, ev := range c.EncryptedValues {
			if got := decryptValue(t, key, ev.CiphertextHex); got != ev.Plaintext {
				t.Errorf("%s/%s: decrypted %q, want %q", c.Name, ev.Name, got, ev.Plaintext)
			}
			sent = append(sent, Param{ev.Name, ev.CiphertextHex})
		}
		// The signature is over the ciphertexts as sent.
		if text := signText(sent, v.AppKey); text != c.SignText || md5Hex(text) != c.S {
			t.Errorf("%s: sign text %q, want %q", c.Name, text, c.SignText)
		}
		if got := decryptValue(t, key, c.SEncrypted.CiphertextHex); got != c.S {
			t.Errorf("%s: s decrypts to %q, want %q", c.Name, got, c.S)
		}
		assertFields(t, sent, c.Fields[:len(c.Fields)-1])
		// Our own encryption of the same request: random padding, so decrypt and re-sign.
		fields, text, err := signRequest(c.Params.params(), v.AppKey, codec, v.T)
		if err != nil {
			t.Fatal(err)
		}
		if text != signText(fields, v.AppKey) {
			t.Errorf("%s: signed text is not over the fields sent", c.Name)
		}
		for i, p := range c.Params {
			if got := decryptValue(t, key, fields[i].Value); fields[i].Name != p[0] || got != p[1] {
				t.Errorf("%s: field %d decrypts to %s=%q", c.Name, i, fields[i].Name, got)
			}
		}
		if got := decryptValue(t, key, fields[len(fields)-1].Value); got != md5Hex(text) {
			t.Errorf("%s: our s decrypts to %q", c.Name, got)
		}
	}
}

func testAlphabetVectors(t *testing.T) {
	var v struct {
		StandardAlphabet string
		Alphabets        map[string]string
		Values           []struct {
			Alphabet, Text, StandardBase64, AlphabetBase64, RequestHex string
		}
		Responses []struct {
			Alphabet, JSON, Body string
		}
		InvalidAlphabets []struct{ Alphabet, Reason string }
	}
	loadVector(t, "alphabet-base64.json", &v)
	if v.StandardAlphabet != stdAlphabet {
		t.Errorf("standard alphabet %s", v.StandardAlphabet)
	}
	codecOf := func(name string) *alphabetCodec {
		c, err := newAlphabetCodec(v.Alphabets[name])
		if err != nil {
			t.Fatalf("alphabet %s: %v", name, err)
		}
		return c
	}
	for _, c := range v.Values {
		codec := codecOf(c.Alphabet)
		if got := base64.StdEncoding.EncodeToString([]byte(c.Text)); got != c.StandardBase64 {
			t.Errorf("%q: standard %s", c.Text, got)
		}
		if got := codec.encodeText(c.Text); got != c.AlphabetBase64 {
			t.Errorf("%s %q: %s, want %s", c.Alphabet, c.Text, got, c.AlphabetBase64)
		}
		if got, _ := codec.encodeValue(c.Text); got != c.RequestHex {
			t.Errorf("%s %q: request %s, want %s", c.Alphabet, c.Text, got, c.RequestHex)
		}
		if got, err := codec.decodeText(c.AlphabetBase64); err != nil || got != c.Text {
			t.Errorf("%s %q: decoded %q %v", c.Alphabet, c.Text, got, err)
		}
	}
	for _, r := range v.Responses {
		codec := codecOf(r.Alphabet)
		body, err := decodeT3Body(&httpResponse{status: 200, body: r.Body}, codec)
		if err != nil {
			t.Errorf("%s response: %v", r.Alphabet, err)
			continue
		}
		var want map[string]any
		_ = json.Unmarshal([]byte(r.JSON), &want)
		if fieldText(body["code"]) != fieldText(want["code"]) || len(body) != len(want) {
			t.Errorf("%s response: %v, want %v", r.Alphabet, body, want)
		}
		if got := codec.encodeText(r.JSON); got != r.Body {
			t.Errorf("%s response encodes to %s", r.Alphabet, got)
		}
	}
	for _, bad := range v.InvalidAlphabets {
		if _, err := newAlphabetCodec(bad.Alphabet); err == nil {
			t.Errorf("alphabet accepted (%s)", bad.Reason)
		}
		if _, err := New("http://x", "k", nil, WithEncoding(Base64(bad.Alphabet))); CodeOf(err) != CodeInvalidArgument {
			t.Errorf("New accepted alphabet (%s): %v", bad.Reason, err)
		}
	}
}

func testRSAKeyVectors(t *testing.T) {
	var k rsaKeyFile
	loadVector(t, "rsa-test-key.json", &k)
	n, _ := new(big.Int).SetString(k.NHex, 16)
	e, _ := new(big.Int).SetString(k.EHex, 16)
	for name, text := range map[string]string{"spki": k.PublicKeySpkiPem, "pkcs1": k.PublicKeyPkcs1Pem, "der": k.PublicKeySpkiDerBase64} {
		key, err := parseRSAPublicKey(text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if key.N.Cmp(n) != 0 || int64(key.E) != e.Int64() {
			t.Errorf("%s: wrong key", name)
		}
	}
	d, _ := new(big.Int).SetString(k.DHex, 16)
	if testPrivateKey(t).D.Cmp(d) != 0 {
		t.Error("private key d")
	}
	block, _ := pem.Decode([]byte(k.PrivateKeyPkcs1Pem))
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil || key.D.Cmp(d) != 0 {
		t.Errorf("pkcs1 private key: %v", err)
	}
	if _, err := parseRSAPublicKey(k.PrivateKeyPkcs8Pem); err == nil {
		t.Error("a private key was taken for a public key")
	}
	if _, err := parseRSAPublicKey("not a key"); err == nil {
		t.Error("garbage was taken for a key")
	}
}

func testRSAValueVectors(t *testing.T) {
	var v struct {
		Values []struct {
			Plaintext      string
			PlaintextBytes int
			Blocks         int
			CiphertextHex  string
		}
	}
	loadVector(t, "rsa-values.json", &v)
	key := testPrivateKey(t)
	for _, c := range v.Values {
		if len([]byte(c.Plaintext)) != c.PlaintextBytes || len(c.CiphertextHex) != c.Blocks*2*key.Size() {
			t.Errorf("%q: sizes", c.Plaintext)
		}
		if got := decryptValue(t, key, c.CiphertextHex); got != c.Plaintext {
			t.Errorf("decrypted %q, want %q", got, c.Plaintext)
		}
		ours, err := rsaEncryptValue(c.Plaintext, &key.PublicKey)
		if err != nil || len(ours) != len(c.CiphertextHex) || ours != strings.ToUpper(ours) {
			t.Errorf("%q: our ciphertext has %d hex chars: %v", c.Plaintext, len(ours), err)
		}
		if got := decryptValue(t, key, ours); got != c.Plaintext {
			t.Errorf("ours decrypted %q, want %q", got, c.Plaintext)
		}
	}
}

func testRSAResponseVectors(t *testing.T) {
	var v struct {
		Responses []struct {
			Plaintext string
			Blocks    int
			Body      string
		}
	}
	loadVector(t, "rsa-responses.json", &v)
	key := testPrivateKey(t)
	for _, r := range v.Responses {
		got, err := rsaDecryptResponse(r.Body, &key.PublicKey)
		if err != nil || got != r.Plaintext {
			t.Errorf("recovered %q %v, want %q", got, err, r.Plaintext)
		}
		if enc := encryptResponse(key, r.Plaintext); enc != r.Body {
			t.Errorf("%q: encrypted body differs", r.Plaintext)
		}
		if raw, _ := base64.StdEncoding.DecodeString(r.Body); len(raw) != r.Blocks*key.Size() {
			t.Errorf("%q: %d bytes for %d blocks", r.Plaintext, len(raw), r.Blocks)
		}
	}
}

func testTokenVectors(t *testing.T) {
	var v struct {
		AppKey string
		Cases  []struct {
			Name, Variant     string
			ID                any
			EndTime, Date     string
			Time              json.Number
			SignText          *string
			TokenPreimage     string
			Token, Statecode  string
			StatecodePreimage string
		}
	}
	data, _ := os.ReadFile(filepath.Join(vectorsDir, "token.json"))
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		sign := ""
		if c.SignText != nil {
			sign = *c.SignText
		}
		id := fieldText(c.ID)
		if got := loginToken(id, v.AppKey, sign, c.EndTime, c.Date); got != c.Token {
			t.Errorf("%s: token %s, want %s", c.Name, got, c.Token)
		}
		if got := md5Hex(c.TokenPreimage); got != c.Token {
			t.Errorf("%s: token %s, want %s", c.Name, got, c.Token)
		}
		if got := statecodeOf(c.Token, c.Time.String()); got != c.Statecode {
			t.Errorf("%s: statecode %s, want %s", c.Name, got, c.Statecode)
		}
		if sign == "" { // a real request always has a sign text; the basic formula must not need it
			sign = "kami=x&t=1&" + v.AppKey
		}
		proof := loginProof{id: id, endTime: c.EndTime, token: strings.ToUpper(c.Token), statecode: c.Statecode,
			time: c.Time.String(), date: c.Date, safeCode: "n", hasSafeCode: true}
		right, wrong := TokenBasic, TokenSigned
		if c.Variant == "signed" {
			right, wrong = TokenSigned, TokenBasic
		}
		for _, check := range []TokenCheck{TokenAuto, right} {
			if err := verifyLogin(proof, v.AppKey, sign, check, "n"); err != nil {
				t.Errorf("%s: check %d refused: %v", c.Name, check, err)
			}
		}
		if err := verifyLogin(proof, v.AppKey, sign, wrong, "n"); CodeOf(err) != CodeTokenMismatch {
			t.Errorf("%s: wrong variant gave %v", c.Name, err)
		}
		if err := verifyLogin(proof, v.AppKey, sign, TokenAuto, "other"); CodeOf(err) != CodeSafeCodeMismatch {
			t.Errorf("%s: safe_code mismatch gave %v", c.Name, err)
		}
		bad := proof
		bad.statecode = strings.Repeat("0", 32)
		if err := verifyLogin(bad, v.AppKey, sign, TokenAuto, "n"); CodeOf(err) != CodeStatecodeMismatch {
			t.Errorf("%s: bad statecode gave %v", c.Name, err)
		}
	}
}

func testBeijingVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Name             string
			EpochSeconds     int64
			Minute, DateTime string
		}
		InvalidDateTimes []string
	}
	loadVector(t, "beijing-time.json", &v)
	for _, c := range v.Cases {
		at := time.Unix(c.EpochSeconds, 0)
		if got := formatBeijingMinute(at); got != c.Minute {
			t.Errorf("%s: minute %s, want %s", c.Name, got, c.Minute)
		}
		if got := formatBeijingDateTime(at); got != c.DateTime {
			t.Errorf("%s: date time %s, want %s", c.Name, got, c.DateTime)
		}
		if got, ok := ParseBeijingTime(c.DateTime); !ok || got.Unix() != c.EpochSeconds {
			t.Errorf("%s: parsed %v %v", c.Name, got, ok)
		}
	}
	for _, bad := range v.InvalidDateTimes {
		if got, ok := ParseBeijingTime(bad); ok {
			t.Errorf("%q parsed as %v", bad, got)
		}
	}
}

func testPotatoSignVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			Name         string
			AskKey       string
			APIUserToken *string `json:"apiUserToken"`
			SignSecret   *string
			TimeMs       int64
			SignPreimage *string
			Sign         *string
			Headers      map[string]string
		}
	}
	loadVector(t, "potato-sign.json", &v)
	for _, c := range v.Cases {
		token, secret := "", ""
		if c.APIUserToken != nil {
			token = *c.APIUserToken
		}
		if c.SignSecret != nil {
			secret = *c.SignSecret
			if md5Hex(*c.SignPreimage) != *c.Sign {
				t.Errorf("%s: preimage does not hash to sign", c.Name)
			}
			if got := potatoSign(secret, strconv.FormatInt(c.TimeMs, 10)); got != *c.Sign {
				t.Errorf("%s: sign %s, want %s", c.Name, got, *c.Sign)
			}
		}
		h := potatoHeaders(c.AskKey, token, secret, c.TimeMs)
		if len(h) != len(c.Headers) {
			t.Errorf("%s: %d headers %v, want %v", c.Name, len(h), h, c.Headers)
		}
		for name, want := range c.Headers {
			got := h[name] // exact spelling: askKey, apiUserToken
			if name == "content-type" {
				got = h["Content-Type"]
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("%s: header %s = %v, want %s", c.Name, name, got, want)
			}
		}
	}
}

func testSeedFixtureVectors(t *testing.T) {
	var v struct {
		T3Login struct {
			AppKey                   string
			SignTextOfRequest        string
			CoreHexDecoded           string
			SuccessResponse          json.RawMessage
			ConsistentBasicResponse  json.RawMessage
			ConsistentSignedResponse json.RawMessage
			IntSuccessCodeResponse   json.RawMessage
			ErrorResponse            json.RawMessage
		} `json:"t3Login"`
		Potato struct {
			Request     struct{ Type, Total int }
			RequestJSON string          `json:"requestJson"`
			Response    json.RawMessage `json:"response"`
			MaxTotal    int
			CardTypes   []struct {
				Type int
				Name string
			}
		} `json:"potatoCreateCardMy"`
	}
	loadVector(t, "seed-fixtures.json", &v)
	l := v.T3Login
	reply := func(raw json.RawMessage) map[string]any {
		body, err := decodeT3Body(&httpResponse{status: 200, body: string(raw)}, plainCodec{})
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	proofOf := func(b map[string]any) loginProof {
		return loginProof{id: fieldText(b["id"]), endTime: fieldText(b["end_time"]), token: fieldText(b["token"]),
			statecode: fieldText(b["statecode"]), time: fieldText(b["time"]), date: fieldText(b["date"]),
			safeCode: fieldText(b["safe_code"]), hasSafeCode: b["safe_code"] != nil}
	}
	for name, c := range map[string]struct {
		raw   json.RawMessage
		check TokenCheck
		ok    bool
	}{
		"basic": {l.ConsistentBasicResponse, TokenBasic, true}, "signed": {l.ConsistentSignedResponse, TokenSigned, true},
		"int": {l.IntSuccessCodeResponse, TokenAuto, true}, "seed placeholder": {l.SuccessResponse, TokenAuto, false},
	} {
		b := reply(c.raw)
		if !isSuccess(b["code"], DefaultSuccessCode) {
			t.Errorf("%s: code %v is not success", name, b["code"])
		}
		err := verifyLogin(proofOf(b), l.AppKey, l.SignTextOfRequest, c.check, "hello")
		if (err == nil) != c.ok {
			t.Errorf("%s: verify gave %v", name, err)
		}
		if core, _ := hex.DecodeString(fieldText(b["core"])); string(core) != l.CoreHexDecoded {
			t.Errorf("%s: core %q", name, core)
		}
	}
	errBody := reply(l.ErrorResponse)
	if isSuccess(errBody["code"], DefaultSuccessCode) {
		t.Error("error response taken for success")
	}
	if err := t3Error(errBody, &httpResponse{status: 200, header: nil}); CodeOf(err) != CodeCardExpired {
		t.Errorf("error response gave %v", err)
	}

	p := v.Potato
	if body, _ := json.Marshal(createCardBody{Type: p.Request.Type, Total: p.Request.Total}); string(body) != p.RequestJSON {
		t.Errorf("createCardMy body %s, want %s", body, p.RequestJSON)
	}
	var env struct {
		Code any
		Data []PotatoCard
	}
	if err := json.Unmarshal(p.Response, &env); err != nil || fieldText(env.Code) != "200" || len(env.Data) != 10 {
		t.Fatalf("potato response: %v %v", err, env.Code)
	}
	for _, card := range env.Data {
		if len(card.ID) < 16 || len(card.CardStr) != 32 || card.CardStr != strings.ToUpper(card.CardStr) {
			t.Errorf("card %+v", card)
		}
	}
	if p.MaxTotal != MaxCardsPerCall || len(p.CardTypes) != int(CardPermanent)+1 {
		t.Errorf("max total %d, %d card types", p.MaxTotal, len(p.CardTypes))
	}
}

func testMessageVectors(t *testing.T) {
	type entry struct{ Message, Code, ErrorCode string }
	var v struct {
		T3 struct {
			Seed, Other, Success []entry
		}
		Potato                 []entry
		PotatoEnvelopeFallback []struct{ ServerCode, ErrorCode string }
		UnknownMessage         entry
	}
	loadVector(t, "messages.json", &v)
	for _, e := range append(append([]entry{}, v.T3.Seed...), v.T3.Other...) {
		err := t3APIError("  "+e.Message+"\n", "201", 200, 0)
		if string(err.Code) != e.ErrorCode || err.ServerMessage != "  "+e.Message+"\n" {
			t.Errorf("t3 %q: %s, want %s", e.Message, err.Code, e.ErrorCode)
		}
		if (err.Kind == KindRateLimit) != (e.ErrorCode == "RATE_LIMITED") {
			t.Errorf("t3 %q: kind %s", e.Message, err.Kind)
		}
	}
	for _, e := range v.Potato {
		if err := potatoAPIError(e.Message, "500", 200, 0); string(err.Code) != e.ErrorCode {
			t.Errorf("potato %q: %s, want %s", e.Message, err.Code, e.ErrorCode)
		}
	}
	for _, f := range v.PotatoEnvelopeFallback {
		if err := potatoAPIError(v.UnknownMessage.Message, f.ServerCode, 200, 0); string(err.Code) != f.ErrorCode {
			t.Errorf("potato fallback %s: %s, want %s", f.ServerCode, err.Code, f.ErrorCode)
		}
	}
	if err := t3APIError(v.UnknownMessage.Message, "201", 200, 0); string(err.Code) != v.UnknownMessage.ErrorCode ||
		err.ServerMessage != v.UnknownMessage.Message {
		t.Errorf("unknown message: %v", err)
	}
	if err := t3APIError("", "201", 429, 3*time.Second); err.Kind != KindRateLimit || err.RetryAfter != 3*time.Second {
		t.Errorf("HTTP 429 gave %+v", err)
	}
	success := map[string]string{
		"HEARTBEAT_ONLINE": MsgHeartbeatOnline, "UNBIND_OK": MsgUnbindOK, "ALREADY_LATEST": MsgAlreadyLatest,
		"IP_UNBIND_OK": MsgIPUnbindOK, "DISABLE_OK": MsgDisableOK, "RECHARGE_OK": MsgRechargeOK,
		"MODIFY_OK": MsgModifyOK, "APP_SIGN_OK": MsgAppSignOK, "REGISTER_OK": MsgRegisterOK,
		"PASSWORD_CHANGED": MsgPasswordChanged, "USER_CANCELLED": MsgUserCancelled,
	}
	for _, e := range v.T3.Success {
		if success[e.Code] != e.Message {
			t.Errorf("success %s: %q, want %q", e.Code, success[e.Code], e.Message)
		}
	}
}

func jsonUnmarshal(data []byte, into any) error { return json.Unmarshal(data, into) }
