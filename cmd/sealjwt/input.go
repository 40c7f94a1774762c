package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

// claimsInput is where seal and sign read the application claims: a flag,
// a file, a single argument, or else stdin.
type claimsInput struct {
	inline, file string
	// stdinTaken: stdin carries something else (a stream to seal), so
	// the claims never come from it.
	stdinTaken bool
}

func (c *claimsInput) register(fs *flag.FlagSet) {
	fs.StringVar(&c.inline, "claims", "", "application claims, a JSON object (else --in, an argument, or stdin)")
	fs.StringVar(&c.file, "in", "", "read the claims from `FILE` (- for stdin)")
}

// read returns the claims as one JSON object; nil means none.
func (c *claimsInput) read(stdin io.Reader, rest []string) (json.RawMessage, error) {
	data, err := c.raw(stdin, rest)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil
	}
	if data[0] != '{' || !json.Valid(data) {
		if c.stdinTaken {
			return nil, cli.Usagef("the claims must be one JSON object; with --stream or --file, the data to seal comes from stdin or -i FILE, not from an argument")
		}
		return nil, cli.Usagef("the claims must be one JSON object")
	}
	return data, nil
}

func (c *claimsInput) raw(stdin io.Reader, rest []string) ([]byte, error) {
	given := 0
	for _, s := range []string{c.inline, c.file} {
		if s != "" {
			given++
		}
	}
	if len(rest) > 1 || given+len(rest) > 1 {
		return nil, cli.Usagef("give the claims once: --claims, --in, or one argument")
	}
	switch {
	case c.stdinTaken && c.file == "-":
		return nil, cli.Usagef("stdin carries the stream: give the claims with --claims, --in FILE or an argument")
	case c.inline != "":
		return []byte(c.inline), nil
	case c.file != "":
		return cli.ReadFile(c.file, stdin)
	case len(rest) == 1:
		return []byte(rest[0]), nil
	case c.stdinTaken:
		return nil, nil
	}
	return cli.ReadAll(stdin, "stdin")
}

// readCompact returns the envelope or token given as the one argument,
// or else read from stdin, without surrounding whitespace.
func readCompact(stdin io.Reader, rest []string, what string) (string, error) {
	if len(rest) > 1 {
		return "", cli.Usagef("give one %s", what)
	}
	if len(rest) == 1 && rest[0] != "-" {
		return strings.TrimSpace(rest[0]), nil
	}
	data, err := cli.ReadAll(stdin, "stdin")
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", cli.Usagef("no %s given (as an argument or on stdin)", what)
	}
	return s, nil
}

// printClaims writes a verified claims object, indented.
func printClaims(w io.Writer, payload []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, payload, "", "  "); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s\n", buf.Bytes())
	return err
}
