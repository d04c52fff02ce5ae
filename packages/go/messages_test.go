package kami

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kami-verify/kami-verify/packages/go/internal/msggen"
)

// The message table is generated from spec/vectors/messages.json (go generate). This fails when
// the checked-in messages_gen.go is stale, i.e. the JSON changed without regenerating.
func TestMessagesGeneratedFileIsFresh(t *testing.T) {
	in, err := os.ReadFile(filepath.Join(vectorsDir, "messages.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := msggen.Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("messages_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("messages_gen.go is stale: run `go generate` in packages/go")
	}
}

func TestMessageGeneratorRefusesBrokenTables(t *testing.T) {
	for name, text := range map[string]string{
		"not json":      `{`,
		"empty":         `{}`,
		"no error code": `{"t3":{"seed":[{"message":"x","code":"X"}]},"potato":[{"message":"y","errorCode":"Y"}],"unknownMessage":{"errorCode":"U"}}`,
	} {
		if _, err := msggen.Generate([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
