package sealjwt_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// recorder keeps the events of an Opener, which reports each Open before
// it returns.
type recorder struct{ observetest.Recorder }

// last returns the one event reported since the previous call.
func (r *recorder) last(t *testing.T) sealjwt.Event {
	t.Helper()
	got := r.Take()
	if len(got) != 1 {
		t.Fatalf("%d events reported, want 1: %+v", len(got), got)
	}
	return got[0]
}

func TestReasonOfEverySentinel(t *testing.T) {
	cases := []struct {
		err  error
		want sealjwt.Reason
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", sealjwt.ErrMalformed), sealjwt.ReasonMalformed},
		{sealjwt.ErrTooLarge, sealjwt.ReasonTooLarge},
		{sealjwt.ErrUnsupported, sealjwt.ReasonUnsupported},
		{sealjwt.ErrUnknownKey, sealjwt.ReasonUnknownKey},
		{sealjwt.ErrDecryption, sealjwt.ReasonDecryption},
		{sealjwt.ErrUntrustedSender, sealjwt.ReasonUntrustedSender},
		{sealjwt.ErrSignature, sealjwt.ReasonSignature},
		{sealjwt.ErrExpired, sealjwt.ReasonExpired},
		{sealjwt.ErrNotYetValid, sealjwt.ReasonNotYetValid},
		{sealjwt.ErrIssuer, sealjwt.ReasonIssuer},
		{sealjwt.ErrAudience, sealjwt.ReasonAudience},
		{sealjwt.ErrClaims, sealjwt.ReasonClaims},
		{fmt.Errorf("%w: method", sealjwt.ErrBinding), sealjwt.ReasonBinding},
		{fmt.Errorf("%w: kid", sealjwt.ErrRecipient), sealjwt.ReasonRecipient},
		{replay.ErrReplayed, sealjwt.ReasonReplay},
		{fmt.Errorf("redis: %w", replay.ErrUnavailable), sealjwt.ReasonStoreUnavailable},
		{replay.ErrFull, sealjwt.ReasonStoreFull},
		{sealjwt.ErrInvalidKey, sealjwt.ReasonInvalidKey},
		{context.DeadlineExceeded, sealjwt.ReasonCanceled},
		{errors.New("something else"), sealjwt.ReasonInternal},
	}
	for _, c := range cases {
		if got := sealjwt.ReasonOf(c.err); got != c.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestOpenerObserverNeverReportsAnUnverifiedIssuer forges a message whose
// signature fails: its iss must not reach the observer. An accepted one
// reports issuer and algorithms; each refusal reports its reason.
func TestOpenerObserverNeverReportsAnUnverifiedIssuer(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	mallory := newParty(t, "mallory-was-here", seal.HPKE3, token.EdDSA)
	rec := &recorder{}
	o, err := sealjwt.NewOpener(recv.sealKey, recv.verifier(t, nil, sender),
		sealjwt.WithReplayStore(replay.NewMemory()), sealjwt.WithObserver(rec))
	if err != nil {
		t.Fatal(err)
	}
	env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(ctx, env); err != nil {
		t.Fatal(err)
	}
	got := rec.last(t)
	want := sealjwt.Event{Kind: sealjwt.KindOpen, Outcome: sealjwt.OutcomeAccepted, Suite: seal.HPKE3,
		SigAlg: token.EdDSA, Issuer: sender.id, Bytes: int64(len(env))}
	if got.Duration <= 0 {
		t.Errorf("duration %v", got.Duration)
	}
	got.Duration = 0
	if got != want {
		t.Fatalf("accepted: %+v, want %+v", got, want)
	}

	_, _ = o.Open(ctx, env)
	if e := rec.last(t); e.Outcome != sealjwt.OutcomeRefused || e.Reason != sealjwt.ReasonReplay || e.Issuer != sender.id {
		t.Fatalf("replay: %+v", e)
	}

	// Mallory's key is not trusted, and she claims to be the sender.
	mallory.id = sender.id
	forged := mallory.sealer(t)
	fenv, err := forged.Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = o.Open(ctx, fenv)
	e := rec.last(t)
	if e.Reason != sealjwt.ReasonUntrustedSender || e.Issuer != "" || e.SigAlg != "" || e.Suite != seal.HPKE3 {
		t.Fatalf("forged: %+v: an unverified issuer or alg was reported", e)
	}

	_, _ = o.Open(ctx, strings.Repeat("A", 10))
	if e := rec.last(t); e.Reason != sealjwt.ReasonMalformed || e.Suite != "" || e.Err == nil {
		t.Fatalf("garbage: %+v", e)
	}
}

func TestOpenerObserverReportsExpiry(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	rec := &recorder{}
	o, err := sealjwt.NewOpener(recv.sealKey, recv.verifier(t, nil, sender), sealjwt.WithObserver(rec))
	if err != nil {
		t.Fatal(err)
	}
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	env, err := sender.sealer(t, token.WithClock(past)).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = o.Open(ctx, env)
	if e := rec.last(t); e.Reason != sealjwt.ReasonExpired || e.Outcome != sealjwt.OutcomeRefused {
		t.Fatalf("expired: %+v", e)
	}
}

// TestRootPackageDoesNotLinkPrometheus: metrics are the commands' business;
// importing the library must not pull in a metrics client.
func TestRootPackageDoesNotLinkPrometheus(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/prometheus/") {
			t.Fatalf("the root package depends on %s", dep)
		}
	}
	if !strings.Contains(string(out), "github.com/sealjwt/sealjwt/seal") {
		t.Fatalf("go list printed no dependencies:\n%s", out)
	}
}
