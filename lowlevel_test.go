package sealjwt_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/token"
)

// What the low-level layer promises: the context SealContext hands the
// sender and the one OpenContext hands the receiver export the same
// secret, under any label, and it is this envelope's alone.
func TestContextExportIsTheSameOnBothSides(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	s, o := sender.sealer(t), recv.opener(t, replay.NewMemory(), sender)
	env, sent, err := s.SealContext(ctx, recv.pub(), recv.id, map[string]any{"htm": "GET"})
	if err != nil {
		t.Fatal(err)
	}
	m, opened, err := o.OpenContext(ctx, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := m.Claim("htm"); err != nil || string(raw) != `"GET"` {
		t.Fatalf("htm = %s, %v; want \"GET\"", raw, err)
	}
	_, other, err := s.SealContext(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"app channel key", "app channel nonce"} {
		a, errA := sent.Export(label, 32)
		b, errB := opened.Export(label, 32)
		c, errC := other.Export(label, 32)
		if err := errors.Join(errA, errB, errC); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%q: the sender exports %x, the receiver %x", label, a, b)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%q: two envelopes export the same secret", label)
		}
	}
}

// A failed OpenContext hands out neither a message nor a context, whatever
// failed: the wrong kind, a tampered envelope, a refusing check, a replay,
// or no Opener at all.
func TestOpenContextFailureHandsOutNoContext(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	s, o := sender.sealer(t), recv.opener(t, replay.NewMemory(), sender)
	message, err := s.Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	request := func() string {
		env, _, err := s.SealContext(ctx, recv.pub(), recv.id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	replayed := request()
	if _, _, err := o.OpenContext(ctx, replayed, nil); err != nil {
		t.Fatal(err)
	}
	tampered := []byte(request())
	if i := len(tampered) - 3; tampered[i] == 'A' { // inside the ciphertext, before its last character
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	refuse := func(*sealjwt.Message) error { return sealjwt.ErrBinding }
	for _, c := range []struct {
		name   string
		opener *sealjwt.Opener
		env    string
		check  func(*sealjwt.Message) error
		want   error
	}{
		{"a message", o, message, nil, token.ErrType},
		{"tampered", o, string(tampered), nil, sealjwt.ErrDecryption},
		{"refused by check", o, request(), refuse, sealjwt.ErrBinding},
		{"replayed", o, replayed, nil, sealjwt.ErrReplayed},
		{"no Opener", nil, request(), nil, sealjwt.ErrConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, sc, err := c.opener.OpenContext(ctx, c.env, c.check)
			if !errors.Is(err, c.want) || m != nil || sc != nil {
				t.Fatalf("got %v, %v, %v; want nil, nil, %v", m, sc, err, c.want)
			}
		})
	}
	if _, sc, err := (*sealjwt.Sealer)(nil).SealContext(ctx, recv.pub(), recv.id, nil); !errors.Is(err, sealjwt.ErrConfig) || sc != nil {
		t.Fatalf("nil Sealer: %v, %v; want ErrConfig and no context", sc, err)
	}
}

// The check runs on the verified message before its id is recorded: an
// envelope the check refuses (one presented for another request) is still
// accepted once where it belongs, and only once.
func TestOpenContextCheckRunsBeforeTheIDIsSpent(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	o := recv.opener(t, replay.NewMemory(), sender)
	env, _, err := sender.sealer(t).SealContext(ctx, recv.pub(), recv.id, map[string]any{"htu": "https://svc.example/pay"})
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	_, _, err = o.OpenContext(ctx, env, func(m *sealjwt.Message) error {
		seen = m.Issuer
		return sealjwt.ErrBinding
	})
	if !errors.Is(err, sealjwt.ErrBinding) || seen != sender.id {
		t.Fatalf("check saw issuer %q and the open failed with %v; want %q and ErrBinding", seen, err, sender.id)
	}
	if _, sc, err := o.OpenContext(ctx, env, nil); err != nil || sc == nil {
		t.Fatalf("after the refusal: %v; want the envelope accepted with its context", err)
	}
	if _, _, err := o.OpenContext(ctx, env, nil); !errors.Is(err, sealjwt.ErrReplayed) {
		t.Fatalf("third open: %v, want ErrReplayed", err)
	}
}

// Only the request kind carries the request claims: Seal refuses each of
// them, and SealContext lets each through. RequestClaims hands out a copy.
func TestRequestClaimsBelongToTheRequestKind(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	s := sender.sealer(t)
	names := sealjwt.RequestClaims()
	if !slices.Equal(names, []string{"htm", "htu", "hct", "hbd", "hfs"}) {
		t.Fatalf("RequestClaims() = %q", names)
	}
	names[0] = "changed"
	if sealjwt.RequestClaims()[0] != "htm" {
		t.Fatal("RequestClaims hands out its own slice")
	}
	for _, name := range sealjwt.RequestClaims() {
		claims := map[string]any{name: "x"}
		if _, err := s.Seal(ctx, recv.pub(), recv.id, claims); !errors.Is(err, sealjwt.ErrClaims) || !strings.Contains(err.Error(), name) {
			t.Errorf("Seal with %q: %v, want ErrClaims naming it", name, err)
		}
		if _, _, err := s.SealContext(ctx, recv.pub(), recv.id, claims); err != nil {
			t.Errorf("SealContext with %q: %v", name, err)
		}
	}
}
