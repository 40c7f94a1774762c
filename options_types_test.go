package sealjwt_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/compilecheck"
)

// WithID is for every kind a Sealer makes; WithExpiresAt for files alone.
var (
	_ = []sealjwt.SealOption{sealjwt.WithID("id")}
	_ = []sealjwt.FileOption{sealjwt.WithID("id"), sealjwt.WithExpiresAt(fileNow)}
)

// WithExpiresAt given to Seal or SealStream is a compile error, not a
// refusal at run time (a message's lifetime is its signer's); the same
// program with SealFile builds.
func TestWithExpiresAtDoesNotCompileForMessages(t *testing.T) {
	const src = `package main

import (
	"context"
	"time"

	"github.com/sealjwt/sealjwt"
)

func main() {
	var s *sealjwt.Sealer
	ctx, exp := context.Background(), sealjwt.WithExpiresAt(time.Now())
	_, _ = s.Seal(ctx, nil, "aud", nil, exp)
	_, _ = s.SealStream(ctx, nil, nil, "aud", nil, exp)
	_, _ = s.SealFile(ctx, nil, nil, nil, exp, sealjwt.WithID("id"))
}
`
	errs := compilecheck.Errors(t, src)
	refused := map[int]bool{}
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "s.Seal(") || strings.Contains(line, "s.SealStream(") {
			refused[i+1] = true
		}
	}
	for line := range refused {
		if msgs := errs[line]; len(msgs) != 1 || !strings.Contains(msgs[0], "does not implement sealjwt.SealOption") {
			t.Errorf("line %d: compiler says %q, want that WithExpiresAt is not a SealOption", line, msgs)
		}
	}
	if len(errs) != len(refused) {
		t.Errorf("compile errors %v, want on the Seal and SealStream lines only", errs)
	}
}

// An Opener option out of its bounds is ErrConfig naming the option, its
// bounds and the value found.
func TestOpenerOptionOutOfBoundsNamesIt(t *testing.T) {
	_, recv := fixture(t)
	for want, opt := range map[string]sealjwt.OpenerOption{
		"WithMaxAge must be at least 0 (no limit), got -1s":                                sealjwt.WithMaxAge(-time.Second),
		`WithOpenedType must not name a kind with calls of its own (` + sealjwt.StreamType: sealjwt.WithOpenedType(sealjwt.StreamType),
	} {
		_, err := sealjwt.NewOpener(recv.sealKey, recv.verifier(t, nil), opt)
		if !errors.Is(err, sealjwt.ErrConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v, want ErrConfig saying %q", err, want)
		}
	}
}
