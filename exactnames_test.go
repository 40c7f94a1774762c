package sealjwt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// recipientVariants are names that encoding/json reads as "rkt" and that
// are not "rkt": ASCII case, and the Kelvin sign, which folds to "k".
var recipientVariants = []string{"RKT", "Rkt", "rkT", "rKt", "r\u212at"}

// The attack on the recipient binding through a case variant: a message
// sealed to key A whose claims also carry "RKT" naming key B. Opened with
// A and re-sealed to B, a decoder that folds case read B's thumbprint (the
// last match wins) and accepted it. The Sealer refuses the variant, and an
// Opener refuses a token carrying one (signed by another stack, say) before
// it looks at the recipient at all: the name is matched byte for byte.
func TestAttackRecipientCaseVariantReseal(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	attacker := newParty(t, recv.id, seal.HPKE3, token.EdDSA)
	signer, err := token.NewSigner(sender.sign, sender.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range recipientVariants {
		t.Run(name, func(t *testing.T) {
			claims := map[string]any{name: recv.pub().Thumbprint()}
			if _, err := sender.sealer(t).Seal(ctx, attacker.pub(), recv.id, claims); !errors.Is(err, sealjwt.ErrClaims) {
				t.Fatalf("Seal with claim %q: %v, want ErrClaims", name, err)
			}
			claims[sealjwt.RecipientClaim] = attacker.pub().Thumbprint()
			jws, err := signer.Sign(recv.id, claims)
			if err != nil {
				t.Fatal(err)
			}
			_, err = recv.opener(t, replay.NewMemory(), sender).Open(ctx, sealSigned(t, recv.pub(), jws))
			if !errors.Is(err, sealjwt.ErrClaims) || !strings.Contains(err.Error(), "case variant") {
				t.Fatalf("re-sealed with %q: %v, want a case variant refused", name, err)
			}
		})
	}
}

// The same attack on a stream: a re-sealed stream head would carry the
// attacker's body, signed as the original sender.
func TestAttackStreamHeadRecipientCaseVariant(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	attacker := newParty(t, recv.id, seal.HPKE3, token.EdDSA)
	signer, err := token.NewSigner(sender.sign, sender.id, token.WithType(sealjwt.StreamType))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range recipientVariants {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := sender.sealer(t).SealStream(ctx, &out, attacker.pub(), recv.id, map[string]any{name: "x"}); !errors.Is(err, sealjwt.ErrClaims) {
				t.Fatalf("SealStream with claim %q: %v, want ErrClaims", name, err)
			}
			jws, err := signer.Sign(recv.id, map[string]any{sealjwt.RecipientClaim: attacker.pub().Thumbprint(), name: recv.pub().Thumbprint()})
			if err != nil {
				t.Fatal(err)
			}
			env := sealSigned(t, recv.pub(), jws)
			head := binary.BigEndian.AppendUint32(nil, uint32(len(env)))
			_, _, err = recv.opener(t, replay.NewMemory(), sender).OpenStream(ctx, bytes.NewReader(append(head, env...)))
			if !errors.Is(err, sealjwt.ErrClaims) || !strings.Contains(err.Error(), "case variant") {
				t.Fatalf("stream head re-sealed with %q: %v, want a case variant refused", name, err)
			}
		})
	}
}

// A recipient claim of the wrong type is ErrRecipient, said once: not
// ErrClaims wrapping an error that already says "sealjwt:".
func TestRecipientClaimOfWrongTypeIsErrRecipient(t *testing.T) {
	sender, recv := fixture(t)
	signer, err := token.NewSigner(sender.sign, sender.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []any{7, true, nil, []string{recv.pub().Thumbprint()}, map[string]any{}} {
		jws, err := signer.Sign(recv.id, map[string]any{sealjwt.RecipientClaim: value})
		if err != nil {
			t.Fatal(err)
		}
		env := sealSigned(t, recv.pub(), jws)
		_, err = recv.opener(t, replay.NewMemory(), sender).Open(context.Background(), env)
		if !errors.Is(err, sealjwt.ErrRecipient) || strings.Count(err.Error(), "sealjwt:") != 1 {
			t.Errorf("rkt %v: %v, want ErrRecipient with one prefix", value, err)
		}
	}
}

// sealSigned seals a signed token to to, as whoever holds it (the sender,
// or a party that opened it) can.
func sealSigned(t testing.TB, to *seal.PublicKey, jws string) string {
	t.Helper()
	env, err := seal.Seal(to, []byte(jws), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	return env
}
