package kami

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Conformance with spec/catalogue/t3.json (mirrors packages/core/test/catalogue.test.ts): every
// endpoint has a route key in the endpoint table with the catalogue's idempotency, and a Client
// method named in Go's CamelCase (ip_unbind → IPUnbind) that sends the catalogue's fields in its
// order to that route. pendingEndpoints names those not built yet; it only shrinks.

const cataloguePath = "../../spec/catalogue/t3.json"

// pendingEndpoints: catalogue endpoints this client does not call yet (none).
var pendingEndpoints = []string{}

type catalogueField struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

type catalogueEndpoint struct {
	Name       string           `json:"name"`
	Family     string           `json:"family"`
	Request    []catalogueField `json:"request"`
	Idempotent *bool            `json:"idempotent"`
	Messages   struct {
		Errors []string `json:"errors"`
	} `json:"messages"`
	Variants []catalogueVariant `json:"variants"`
}

// catalogueVariant: the endpoint's route called with another credential (t3sdk's *_user calls).
type catalogueVariant struct {
	Family  string           `json:"family"`
	SDK     []string         `json:"sdk"`
	Request []catalogueField `json:"request"`
}

func loadCatalogue(t *testing.T) []catalogueEndpoint {
	t.Helper()
	data, err := os.ReadFile(cataloguePath)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Endpoints []catalogueEndpoint `json:"endpoints"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Endpoints) == 0 {
		t.Fatal("the catalogue lists no endpoints")
	}
	return c.Endpoints
}

// methodName is the Go method of a catalogue endpoint: CamelCase with Go's initialisms.
func methodName(endpoint string) string {
	initialisms := map[string]string{"ip": "IP"}
	var b strings.Builder
	for _, part := range strings.Split(endpoint, "_") {
		if up, ok := initialisms[part]; ok {
			b.WriteString(up)
		} else if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func TestCatalogueEveryEndpointHasRouteKeyAndMethod(t *testing.T) {
	t.Logf("catalogue endpoints pending in the Go client: %v", pendingEndpoints)
	client := reflect.TypeOf(&Client{})
	for _, e := range loadCatalogue(t) {
		if slices.Contains(pendingEndpoints, e.Name) {
			continue
		}
		props, ok := endpoints[Endpoint(e.Name)]
		if !ok {
			t.Errorf("%s: no route key in the endpoint table", e.Name)
		} else if e.Idempotent == nil || props.idempotent != *e.Idempotent {
			t.Errorf("%s: idempotent %v in the table, the catalogue says %v", e.Name, props.idempotent, e.Idempotent)
		}
		if _, ok := client.MethodByName(methodName(e.Name)); !ok {
			t.Errorf("%s: no method Client.%s", e.Name, methodName(e.Name))
		}
	}
}

// TestCataloguePendingNamesRealEndpointsTheClientLacks: the real pending list passes, and the
// check reports a name that is no catalogue endpoint and one the client already has (so it holds
// while the list is empty too).
func TestCataloguePendingNamesRealEndpointsTheClientLacks(t *testing.T) {
	catalogue := loadCatalogue(t)
	for _, p := range pendingProblems(pendingEndpoints, catalogue) {
		t.Error(p)
	}
	got := pendingProblems([]string{"no_such_endpoint", "cloud_doc"}, catalogue)
	for _, want := range []string{"no_such_endpoint is not a catalogue endpoint", "cloud_doc has a route key", "cloud_doc has a method"} {
		if !slices.Contains(got, "pending "+want) {
			t.Errorf("the pending check missed %q: %q", want, got)
		}
	}
}

// pendingProblems: each pending name must be a catalogue endpoint without a route key or method.
func pendingProblems(pending []string, catalogue []catalogueEndpoint) []string {
	names := []string{}
	for _, e := range catalogue {
		names = append(names, e.Name)
	}
	client := reflect.TypeOf(&Client{})
	var out []string
	for _, name := range pending {
		if !slices.Contains(names, name) {
			out = append(out, "pending "+name+" is not a catalogue endpoint")
		}
		if _, ok := endpoints[Endpoint(name)]; ok {
			out = append(out, "pending "+name+" has a route key")
		}
		if _, ok := client.MethodByName(methodName(name)); ok {
			out = append(out, "pending "+name+" has a method")
		}
	}
	return out
}

// TestCatalogueWireFields calls every method once against a recording server: the request goes
// to the endpoint's route and carries the catalogue's field names, in its order (optional ones
// may be left out), every required one, then t and s.
func TestCatalogueWireFields(t *testing.T) {
	rec := newWireRecorder(t)
	for _, e := range loadCatalogue(t) {
		if slices.Contains(pendingEndpoints, e.Name) {
			continue
		}
		for _, p := range rec.problems(e.Name, methodName(e.Name), e.Name, e.Request) {
			t.Error(p)
		}
	}
}

// wireRecorder is a client whose routes are "/<endpoint>" on a server that records each
// request's path and field names, answering {"code":"200","msg":"0"}.
type wireRecorder struct {
	client *Client
	mu     sync.Mutex
	got    []wireRequest
}

type wireRequest struct {
	path   string
	fields []string
}

func newWireRecorder(t *testing.T) *wireRecorder {
	rec := &wireRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var names []string
		for _, pair := range strings.Split(string(body), "&") {
			name, _, _ := strings.Cut(pair, "=")
			name, _ = url.QueryUnescape(name)
			names = append(names, name)
		}
		rec.mu.Lock()
		rec.got = append(rec.got, wireRequest{r.URL.Path, names})
		rec.mu.Unlock()
		_, _ = io.WriteString(w, `{"code":"200","msg":"0"}`)
	}))
	t.Cleanup(srv.Close)
	routes := Routes{}
	for _, e := range loadCatalogue(t) {
		routes[Endpoint(e.Name)] = "/" + e.Name
	}
	c, err := New(srv.URL, "conformance-key", routes, WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	rec.client = c
	return rec
}

// problems calls Client.<method> once, every argument given (so optional fields are sent too;
// the reply may fail the method's own checks, only the request matters), and says how its
// request differs from one to route carrying request's fields in order, then t and s.
func (rec *wireRecorder) problems(label, method, route string, request []catalogueField) []string {
	fn := reflect.ValueOf(rec.client).MethodByName(method)
	if !fn.IsValid() {
		return []string{label + ": no method Client." + method}
	}
	rec.mu.Lock()
	rec.got = nil
	rec.mu.Unlock()
	_ = fn.Call(sampleArgs(fn.Type()))
	rec.mu.Lock()
	requests := rec.got
	rec.mu.Unlock()
	if len(requests) != 1 {
		return []string{fmt.Sprintf("%s: %d requests, want 1", label, len(requests))}
	}
	var out []string
	req := requests[0]
	if req.path != "/"+route {
		out = append(out, fmt.Sprintf("%s: sent to %s, want /%s", label, req.path, route))
	}
	want := []string{}
	for _, f := range request {
		want = append(want, f.Name)
	}
	sent := req.fields
	if len(sent) < 2 || !slices.Equal(sent[len(sent)-2:], []string{"t", "s"}) {
		return append(out, fmt.Sprintf("%s: fields %v do not end with t, s", label, sent))
	}
	if !isSubsequence(sent[:len(sent)-2], want) {
		out = append(out, fmt.Sprintf("%s: sent %v, the catalogue's order is %v", label, sent, want))
	}
	for _, f := range request {
		if f.Required && !slices.Contains(sent, f.Name) {
			out = append(out, fmt.Sprintf("%s: required field %s not sent (%v)", label, f.Name, sent))
		}
	}
	return out
}

// variantProblems: every variant's t3sdk methods exist on Client (named in Go's CamelCase:
// ip_unbind_user → IPUnbindUser) and send the variant's request, in order, to the endpoint's
// route.
func variantProblems(rec *wireRecorder, catalogue []catalogueEndpoint) []string {
	var out []string
	for _, e := range catalogue {
		for _, v := range e.Variants {
			if len(v.SDK) == 0 {
				out = append(out, e.Name+": a variant names no t3sdk method")
			}
			for _, sdk := range v.SDK {
				label := fmt.Sprintf("%s variant %s (%s)", e.Name, sdk, v.Family)
				out = append(out, rec.problems(label, methodName(sdk), e.Name, v.Request)...)
			}
		}
	}
	return out
}

func TestCatalogueVariantsHaveMethodsSendingTheirFields(t *testing.T) {
	catalogue := loadCatalogue(t)
	variants := 0
	for _, e := range catalogue {
		variants += len(e.Variants)
	}
	if variants < 6 {
		t.Fatalf("the catalogue lists %d variants, want at least the six *_user calls", variants)
	}
	for _, p := range variantProblems(newWireRecorder(t), catalogue) {
		t.Error(p)
	}
}

// TestCatalogueVariantCheckCanFail: the check above reports a variant whose method is missing,
// one whose method leaves a required field out, and one whose method sends a field the variant
// does not list or sends fields out of order.
func TestCatalogueVariantCheckCanFail(t *testing.T) {
	rec := newWireRecorder(t)
	user := []catalogueField{{Name: "user", Required: true}, {Name: "pass", Required: true}}
	cases := []struct {
		name    string
		variant catalogueVariant
		route   string
		want    string
	}{
		{"missing method", catalogueVariant{Family: "account", SDK: []string{"freeze_user"}, Request: user}, "disable", "no method Client.FreezeUser"},
		{"required field not sent", catalogueVariant{Family: "account", SDK: []string{"disable_user"},
			Request: append(slices.Clone(user), catalogueField{Name: "imei", Required: true})}, "disable", "required field imei not sent"},
		{"field not listed", catalogueVariant{Family: "account", SDK: []string{"disable_user"}, Request: user[:1]}, "disable", "the catalogue's order is"},
		{"order", catalogueVariant{Family: "account", SDK: []string{"disable_user"}, Request: []catalogueField{user[1], user[0]}}, "disable", "the catalogue's order is"},
		{"route", catalogueVariant{Family: "account", SDK: []string{"disable_user"}, Request: user}, "ip_unbind", "sent to /disable"},
		{"no sdk", catalogueVariant{Family: "account", Request: user}, "disable", "names no t3sdk method"},
	}
	for _, tc := range cases {
		problems := variantProblems(rec, []catalogueEndpoint{{Name: tc.route, Variants: []catalogueVariant{tc.variant}}})
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
			t.Errorf("%s: problems %q, want one mentioning %q", tc.name, problems, tc.want)
		}
	}
	// The real variant passes, so the cases above fail for their own reason.
	ok := catalogueVariant{Family: "account", SDK: []string{"disable_user"}, Request: user}
	if p := variantProblems(rec, []catalogueEndpoint{{Name: "disable", Variants: []catalogueVariant{ok}}}); len(p) != 0 {
		t.Errorf("disable_user as the catalogue lists it: %q", p)
	}
}

// sampleArgs: a context, then a distinct non-empty value per string argument and a full Variable.
func sampleArgs(fn reflect.Type) []reflect.Value {
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	for i := 1; i < fn.NumIn(); i++ {
		switch fn.In(i) {
		case reflect.TypeOf(""):
			args = append(args, reflect.ValueOf("value-"+string(rune('a'+i))))
		case reflect.TypeOf(Variable{}):
			args = append(args, reflect.ValueOf(Variable{ID: "vid", Name: "vname"}))
		default:
			panic("sampleArgs: unexpected argument type " + fn.In(i).String())
		}
	}
	return args
}

// isSubsequence: every element of sub appears in seq, in seq's order, each at most once.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range sub {
		for i < len(seq) && seq[i] != s {
			i++
		}
		if i == len(seq) {
			return false
		}
		i++
	}
	return true
}

// TestCatalogueErrorCodesAreTyped: every error code the catalogue says an endpoint may answer
// (its own and the common ones) is a code of the generated message table, so a server refusal
// always arrives as a typed KindAPI error with that code.
func TestCatalogueErrorCodesAreTyped(t *testing.T) {
	data, err := os.ReadFile(cataloguePath)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Common struct {
			Errors []string `json:"errors"`
		} `json:"common"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	known := map[Code]bool{}
	for _, code := range t3Messages {
		known[code] = true
	}
	codes := append([]string{}, c.Common.Errors...)
	for _, e := range loadCatalogue(t) {
		codes = append(codes, e.Messages.Errors...)
	}
	if len(codes) < 10 {
		t.Fatalf("only %d codes read from the catalogue", len(codes))
	}
	for _, code := range codes {
		if !known[Code(code)] {
			t.Errorf("catalogue code %s has no message in the generated table", code)
		}
	}
}
