package sealjwt_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// An attacker passes the sender its own key as the receiver's, opens what
// the sender seals to it, and re-seals the genuine signed token to the
// real receiver.
func TestAttackResealedToRealReceiver(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	attacker := newParty(t, recv.id, seal.HPKE3, token.EdDSA)
	env, err := sender.sealer(t).Seal(ctx, attacker.pub(), recv.id, map[string]any{"pay": 100})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := seal.Open(attacker.sealKey, env)
	if err != nil {
		t.Fatal(err)
	}
	resealed, err := seal.Seal(recv.pub(), opened.Plaintext, seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	store := replay.NewMemory()
	_, err = recv.opener(t, store, sender).Open(ctx, resealed)
	if !errors.Is(err, sealjwt.ErrRecipient) || !errors.Is(err, sealjwt.ErrClaims) {
		t.Fatalf("re-sealed message: err = %v, want ErrRecipient", err)
	}
	// The refusal did not spend the jti: the genuine message still opens.
	genuine, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := recv.opener(t, store, sender).Open(ctx, genuine); err != nil {
		t.Fatalf("genuine message: %v", err)
	}
}

// A token signed by a trusted sender without the recipient claim (another
// implementation that leaves it out) is refused.
func TestMessageWithoutRecipientClaimRefused(t *testing.T) {
	sender, recv := fixture(t)
	signer, err := token.NewSigner(sender.sign, sender.id)
	if err != nil {
		t.Fatal(err)
	}
	for name, claims := range map[string]any{
		"missing":    nil,
		"empty":      map[string]any{"rkt": ""},
		"another":    map[string]any{"rkt": newParty(t, "x", seal.HPKE3, token.EdDSA).pub().Thumbprint()},
		"not string": map[string]any{"rkt": 7},
	} {
		t.Run(name, func(t *testing.T) {
			jws, err := signer.Sign(recv.id, claims)
			if err != nil {
				t.Fatal(err)
			}
			_, err = recv.opener(t, replay.NewMemory(), sender).Open(context.Background(), sealSigned(t, recv.pub(), jws))
			if !errors.Is(err, sealjwt.ErrClaims) {
				t.Fatalf("err = %v, want ErrClaims", err)
			}
		})
	}
}

func TestSealerOwnsRecipientClaim(t *testing.T) {
	sender, recv := fixture(t)
	_, err := sender.sealer(t).Seal(context.Background(), recv.pub(), recv.id, map[string]any{"rkt": recv.pub().Thumbprint()})
	if !errors.Is(err, sealjwt.ErrClaims) {
		t.Fatalf("application rkt: err = %v, want ErrClaims", err)
	}
}

// HS256 keys are shared secrets: the receiver could sign as the sender.
// Sealed mode refuses them on both sides: a Sealer will not sign with one,
// and an Opener whose verifier trusts one refuses what it signed.
func TestSealedModeRefusesHS256(t *testing.T) {
	hs := newParty(t, "tutorial", seal.HPKE3, token.HS256)
	signer, err := token.NewSigner(hs.sign, hs.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealjwt.NewSealer(signer); !errors.Is(err, sealjwt.ErrInvalidKey) {
		t.Fatalf("NewSealer: err = %v, want ErrInvalidKey", err)
	}
	_, recv := fixture(t)
	jws, err := signer.Sign(recv.id, nil, token.WithStringClaim(sealjwt.RecipientClaim, recv.pub().Thumbprint()))
	if err != nil {
		t.Fatal(err)
	}
	env, err := seal.Seal(recv.pub(), []byte(jws), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	_, err = recv.opener(t, replay.NewMemory(), hs).Open(context.Background(), env)
	if !errors.Is(err, sealjwt.ErrUntrustedSender) {
		t.Fatalf("Open of an HS256 message: err = %v, want ErrUntrustedSender", err)
	}
}

// WithID keeps a message's jti: of two copies, the replay store accepts one.
func TestWithIDKeepsTheIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	jti := token.NewID()
	o := recv.opener(t, replay.NewMemory(), sender)
	for i, want := range []error{nil, sealjwt.ErrReplayed} {
		env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil, sealjwt.WithID(jti))
		if err != nil {
			t.Fatal(err)
		}
		m, err := o.Open(ctx, env)
		if !errors.Is(err, want) || (err == nil && m.ID != jti) {
			t.Fatalf("copy %d: err = %v, want %v", i+1, err, want)
		}
	}
	for _, bad := range []string{"", "a b", string(make([]byte, 257))} {
		if _, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil, sealjwt.WithID(bad)); !errors.Is(err, sealjwt.ErrClaims) {
			t.Fatalf("WithID(%q): err = %v, want ErrClaims", bad, err)
		}
	}
}

// A key read from a JWK keeps that JWK's kid; the recipient claim still
// names the key by its thumbprint, so both sides agree on it.
func TestRecipientClaimIsTheThumbprintWhateverTheKid(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	raw, err := recv.sealKey.Primary().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	j["kid"] = "receiver-2026"
	raw, _ = json.Marshal(j)
	k, err := seal.ParsePrivateJWK(raw)
	if err != nil {
		t.Fatal(err)
	}
	if k.KID() != "receiver-2026" || k.Public().Thumbprint() != recv.pub().Thumbprint() {
		t.Fatalf("kid %q thumbprint %q", k.KID(), k.Public().Thumbprint())
	}
	recv.sealKey, _ = seal.NewKeySet(k)
	env, err := sender.sealer(t).Seal(ctx, k.Public(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := recv.opener(t, replay.NewMemory(), sender).Open(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	var rc map[string]any
	_ = m.Decode(&rc)
	if rc[sealjwt.RecipientClaim] != recv.pub().Thumbprint() {
		t.Fatalf("rkt = %v, want the thumbprint", rc[sealjwt.RecipientClaim])
	}
}

// The Opener, not the verifier it is given, decides the type of token it
// accepts. A verifier configured for plain JWTs (typ "JWT") still opens
// only sealjwt messages, so that another kind of JWT signed by a trusted
// key, sealed to the receiver, is not taken for a message; and a verifier
// WithTutorialCompat, which accepts untyped tokens, is refused outright.
func TestAttackOtherTokenTypeThroughAConfiguredVerifier(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	o := func(opts ...token.VerifierOption) (*sealjwt.Opener, error) {
		return sealjwt.NewOpener(recv.sealKey, recv.verifier(t, opts, sender), sealjwt.WithReplayStore(replay.NewMemory()))
	}
	if _, err := o(token.WithTutorialCompat()); !errors.Is(err, sealjwt.ErrConfig) {
		t.Fatalf("a tutorial-compatible verifier: %v, want ErrConfig", err)
	}
	jwtOpener, err := o(token.WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := token.NewSigner(sender.sign, sender.id, token.WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := plain.Sign(recv.id, nil, token.WithStringClaim(sealjwt.RecipientClaim, recv.pub().Thumbprint()))
	if err != nil {
		t.Fatal(err)
	}
	env, err := seal.Seal(recv.pub(), []byte(jws), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwtOpener.Open(ctx, env); !errors.Is(err, sealjwt.ErrMalformed) {
		t.Fatalf("a plain JWT sealed to the receiver: %v, want ErrMalformed (typ)", err)
	}
	// A Sealer around that same "JWT" signer still makes messages.
	sealer, err := sealjwt.NewSealer(plain)
	if err != nil {
		t.Fatal(err)
	}
	good, err := sealer.Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwtOpener.Open(ctx, good); err != nil {
		t.Fatalf("a message from a Sealer whose signer writes JWT: %v", err)
	}
}
