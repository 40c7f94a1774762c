// Package cli holds what the sealjwt, receiver and sender commands share:
// flag sets with examples, exit codes, one-line errors, and key files.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes, the same for every command.
const (
	ExitOK       = 0 // done; for open and verify: the input was accepted
	ExitRejected = 1 // rejected input, or a failure (I/O, network, ...)
	ExitUsage    = 2 // bad flags or arguments; nothing was done
)

// ExitCodesHelp documents the exit codes in every top-level help text.
const ExitCodesHelp = `Exit codes: 0 ok, 1 rejected or failed, 2 usage error.`

// UsageError marks an error in how a command was called (exit code 2).
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

// Command describes one command or subcommand for its help text.
type Command struct {
	Name     string // "sealjwt seal"
	Args     string // "[flags] [CLAIMS-JSON]"
	Summary  string // one paragraph
	Examples string // shell lines, one per line
}

// NewFlagSet returns a flag set that never prints or exits by itself:
// Parse reports help and errors so that they go to the right stream with
// the right exit code.
func (c Command) NewFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// PrintHelp writes the help text: synopsis, summary, flags, examples.
func (c Command) PrintHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s %s\n\n%s\n", c.Name, c.Args, c.Summary)
	if fs != nil && hasFlags(fs) {
		fmt.Fprintf(w, "\nflags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if c.Examples != "" {
		fmt.Fprintf(w, "\nexample:\n")
		for line := range strings.SplitSeq(strings.TrimSpace(c.Examples), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	fmt.Fprintf(w, "\n%s\n", ExitCodesHelp)
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// Parse parses args. When it returns done, the caller returns code: help
// was printed to stdout (0) or a usage error to stderr (2).
func (c Command) Parse(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		c.PrintHelp(stdout, fs)
		return ExitOK, true
	default:
		return c.Fail(stderr, Usagef("%v", err)), true
	}
}

// Fail writes err to stderr as one line and returns its exit code.
func (c Command) Fail(stderr io.Writer, err error) int {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s: %s (see '%s --help')\n", c.Name, msg, c.Name)
		return ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %s\n", c.Name, msg)
	return ExitRejected
}

// Run parses args into fs and calls body with the remaining arguments,
// turning its error into a one-line message and an exit code.
func (c Command) Run(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, body func(args []string) error) int {
	if code, done := c.Parse(fs, args, stdout, stderr); done {
		return code
	}
	if err := body(fs.Args()); err != nil {
		return c.Fail(stderr, err)
	}
	return ExitOK
}
