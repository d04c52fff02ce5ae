// Command genmessages writes messages_gen.go from the repository's spec/vectors/messages.json.
// Run it with `go generate` in packages/go.
package main

import (
	"fmt"
	"os"

	"github.com/kami-verify/kami-verify/packages/go/internal/msggen"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genmessages <messages.json> <out.go>")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[1])
	if err == nil {
		var src []byte
		if src, err = msggen.Generate(in); err == nil {
			err = os.WriteFile(os.Args[2], src, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genmessages:", err)
		os.Exit(1)
	}
}
