package kami

import (
	"context"
	"encoding/json"
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

// pendingEndpoints: catalogue endpoints this client does not call yet (cloud_doc is not served).
var pendingEndpoints = []string{"cloud_doc"}

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

func TestCataloguePendingNamesRealEndpointsTheClientLacks(t *testing.T) {
	names := []string{}
	for _, e := range loadCatalogue(t) {
		names = append(names, e.Name)
	}
	client := reflect.TypeOf(&Client{})
	for _, name := range pendingEndpoints {
		if name != "cloud_doc" {
			t.Errorf("pending %s: only cloud_doc (not served yet) may be pending", name)
		}
		if !slices.Contains(names, name) {
			t.Errorf("pending %s is not a catalogue endpoint", name)
		}
		if _, ok := endpoints[Endpoint(name)]; ok {
			t.Errorf("pending %s has a route key: remove it from pendingEndpoints", name)
		}
		if _, ok := client.MethodByName(methodName(name)); ok {
			t.Errorf("pending %s has a method: remove it from pendingEndpoints", name)
		}
	}
}

// TestCatalogueWireFields calls every method once against a recording server: the request goes
// to the endpoint's route and carries the catalogue's field names, in its order (optional ones
// may be left out), every required one, then t and s.
func TestCatalogueWireFields(t *testing.T) {
	type request struct {
		path   string
		fields []string
	}
	var mu sync.Mutex
	var got []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var names []string
		for _, pair := range strings.Split(string(body), "&") {
			name, _, _ := strings.Cut(pair, "=")
			name, _ = url.QueryUnescape(name)
			names = append(names, name)
		}
		mu.Lock()
		got = append(got, request{r.URL.Path, names})
		mu.Unlock()
		_, _ = io.WriteString(w, `{"code":"200","msg":"0"}`)
	}))
	defer srv.Close()

	catalogue := loadCatalogue(t)
	routes := Routes{}
	for _, e := range catalogue {
		routes[Endpoint(e.Name)] = "/" + e.Name
	}
	c, err := New(srv.URL, "conformance-key", routes, WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	for _, e := range catalogue {
		if slices.Contains(pendingEndpoints, e.Name) {
			continue
		}
		method := reflect.ValueOf(c).MethodByName(methodName(e.Name))
		if !method.IsValid() {
			t.Errorf("%s: no method", e.Name) // reported by the test above too
			continue
		}
		mu.Lock()
		got = nil
		mu.Unlock()
		// Every argument is given (so optional fields are sent too); the reply may fail the
		// method's own checks, only the request matters here.
		_ = method.Call(sampleArgs(method.Type()))
		mu.Lock()
		requests := got
		mu.Unlock()
		if len(requests) != 1 {
			t.Errorf("%s: %d requests, want 1", e.Name, len(requests))
			continue
		}
		req := requests[0]
		if req.path != "/"+e.Name {
			t.Errorf("%s: sent to %s", e.Name, req.path)
		}
		want := []string{}
		for _, f := range e.Request {
			want = append(want, f.Name)
		}
		sent := req.fields
		if len(sent) < 2 || !slices.Equal(sent[len(sent)-2:], []string{"t", "s"}) {
			t.Errorf("%s: fields %v do not end with t, s", e.Name, sent)
			continue
		}
		if !isSubsequence(sent[:len(sent)-2], want) {
			t.Errorf("%s: sent %v, the catalogue's order is %v", e.Name, sent, want)
		}
		for _, f := range e.Request {
			if f.Required && !slices.Contains(sent, f.Name) {
				t.Errorf("%s: required field %s not sent (%v)", e.Name, f.Name, sent)
			}
		}
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
