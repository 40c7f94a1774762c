// Command sealjwt makes keys, seals and opens messages, signs and verifies
// tokens, inspects either without a key, and runs the demo and a load test.
//
// Run "sealjwt help" for the subcommands and "sealjwt SUBCOMMAND --help"
// for each one's flags and an example.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

// env is what a subcommand gets from the process, so tests can run it
// in-process with their own streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type subcommand struct {
	name, summary string
	run           func(e env, args []string) int
}

func subcommands() []subcommand {
	return []subcommand{
		{"keygen", "generate a key pair (sealing: HPKE-*, signing: EdDSA, ES256, ML-DSA-44, HS256, ...)", runKeygen},
		{"pub", "print the public JWKS of private keys", runPub},
		{"keyset", "add, drop and list the keys of a key set; write its public set", runKeyset},
		{"seal", "sign claims and seal them to a receiver: prints the envelope (--stream, --file for data)", runSeal},
		{"open", "open and verify an envelope: prints the verified claims (--stream, --file for data)", runOpen},
		{"sign", "sign claims as a plain JWT (signed-only mode, no encryption)", runSign},
		{"verify", "verify a plain signed JWT: prints the verified claims", runVerify},
		{"inspect", "show the headers of an envelope, token, sealed file or stream, UNVERIFIED", runInspect},
		{"demo", "run a receiver on 127.0.0.1 and send it sealed requests, step by step", runDemo},
		{"load", "bounded load test against a receiver on this machine", runLoad},
		{"version", "print the version of sealjwt and of Go it was built with", runVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

func run(args []string, e env) int {
	if len(args) == 0 {
		printHelp(e.stderr)
		return cli.ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		printHelp(e.stdout)
		return cli.ExitOK
	case "-version", "--version":
		return runVersion(e, args[1:])
	}
	for _, c := range subcommands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "sealjwt: unknown command %q (see 'sealjwt help')\n", args[0])
	return cli.ExitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `sealjwt: signed, then sealed messages between services.

usage: sealjwt COMMAND [flags] [args]

commands:
`)
	for _, c := range subcommands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run 'sealjwt COMMAND --help' for the flags of a command and an example.
Start with:  sealjwt demo

%s
`, cli.ExitCodesHelp)
}
