package session

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// scopeVariants are names a case-folding decoder reads as "scope".
var scopeVariants = []string{"SCOPE", "Scope", "scopE", "\u017fcope"}

// A login handler that passes user-chosen claims into the Grant: "SCOPE"
// used to become the token's scopes (a lowercase "scope" was refused). It
// is refused at login; and a token that carries it anyway (signed by the
// API's key elsewhere) is refused at the API, through a real client.
func TestAttackScopeCaseVariantInGrantClaims(t *testing.T) {
	m := newManager(t, newClock())
	a := newApp(t, m)
	signer, err := token.NewSigner(signingKeys(t), apiID, token.WithType(AccessTokenType))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range scopeVariants {
		t.Run(name, func(t *testing.T) {
			_, err := m.Login(context.Background(), Grant{Subject: "alice", Scopes: []string{"read"}, Claims: map[string]any{name: "admin read"}})
			if !errors.Is(err, token.ErrClaims) {
				t.Fatalf("login with claim %q: %v, want ErrClaims", name, err)
			}
			forged, err := signer.Sign(apiID, map[string]any{"sub": "alice", "scope": "read", name: "admin"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Authenticate(context.Background(), forged); !errors.Is(err, token.ErrClaims) {
				t.Fatalf("token with %q: %v, want ErrClaims", name, err)
			}
			if code, _ := a.get(t, a.srv.Client(), "/api/me", "Authorization", "Bearer "+forged); code != http.StatusUnauthorized {
				t.Fatalf("token with %q at the API: %d, want 401", name, code)
			}
		})
	}
}

// A sealed access token (WithSealing) used to open as a valid message in
// an Opener trusting the API's id and holding its key: it is now sealed
// with the access token's typ, which a message's Opener refuses.
func TestAttackSealedAccessTokenOpensAsMessage(t *testing.T) {
	ek, _ := seal.GenerateKey(seal.HPKE3)
	own, _ := seal.NewKeySet(ek)
	m := newManager(t, newClock(), WithSealing(own))
	tokens, err := m.Login(context.Background(), Grant{Subject: "alice", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Authenticate(context.Background(), tokens.Access); err != nil {
		t.Fatalf("the Manager refuses its own sealed token: %v", err)
	}
	v, _ := token.NewVerifier(apiID)
	if err := v.Trust(apiID, signingKeys(t).Verifying()); err != nil {
		t.Fatal(err)
	}
	o, err := sealjwt.NewOpener(own, v, sealjwt.WithReplayStore(replay.NewMemory()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(context.Background(), tokens.Access); !errors.Is(err, token.ErrType) {
		t.Fatalf("sealed access token opened as a message: %v, want ErrType", err)
	}
}

// The inner token of a message sealed to an API that also takes signed-only
// bearer tokens from the same sender: whoever opened the message used to
// replay it as a bearer token, reusable until it expired. A Bearer now
// takes only a verifier of the bearer (or access token) kind, and a
// message's token is of neither.
func TestAttackMessageTokenAsBearer(t *testing.T) {
	k, _ := token.GenerateKey(token.EdDSA)
	keys, _ := token.NewKeySet(k)
	byDefault, _ := token.NewVerifier("hello-service")
	if _, err := NewBearer(byDefault); !errors.Is(err, ErrConfig) {
		t.Fatalf("NewBearer with a verifier of the message kind: %v, want ErrConfig", err)
	}
	v, _ := token.NewVerifier("hello-service", token.WithType(BearerTokenType))
	if err := v.Trust("client", keys.Verifying()); err != nil {
		t.Fatal(err)
	}
	b, err := NewBearer(v)
	if err != nil {
		t.Fatal(err)
	}
	messageSigner, _ := token.NewSigner(keys, "client") // a message's inner token: typ token.Type
	inner, _ := messageSigner.Sign("hello-service", map[string]any{sealjwt.RecipientClaim: "x"})
	if _, err := b.Authenticate(context.Background(), inner); !errors.Is(err, token.ErrType) {
		t.Fatalf("a message's token as a bearer token: %v, want ErrType", err)
	}
	bearerSigner, _ := messageSigner.ForType(BearerTokenType)
	good, _ := bearerSigner.Sign("hello-service", nil)
	if _, err := b.Authenticate(context.Background(), good); err != nil {
		t.Fatalf("a bearer token: %v", err)
	}
}
