//go:build cgo

package cli

import (
	"testing"

	"github.com/sealjwt/sealjwt/internal/softhsm"
	"github.com/sealjwt/sealjwt/token"
)

// TestPKCS11SigningKeyImpliedAlg: a pkcs11: URI without :ALG binds an EC
// key to its curve's ES alg and an Ed25519 key to EdDSA; :ALG still wins
// where the key fits it.
func TestPKCS11SigningKeyImpliedAlg(t *testing.T) {
	tok := softhsm.New(t)
	tok.GenerateEC(t, "cli-alg-p256", "P-256")
	tok.GenerateEd25519(t, "cli-alg-ed25519")
	for _, c := range []struct {
		spec string
		want token.Alg
	}{
		{tok.URI("cli-alg-p256"), token.ES256},
		{tok.URI("cli-alg-ed25519"), token.EdDSA},
		{tok.URI("cli-alg-ed25519") + ":EdDSA", token.EdDSA},
	} {
		set, err := SigningKeys(c.spec)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if got := set.Primary().Alg(); got != c.want {
			t.Errorf("%s: alg %s, want %s", c.spec, got, c.want)
		}
	}
	if _, err := SigningKeys(tok.URI("cli-alg-ed25519") + ":ES256"); err == nil {
		t.Error("an Ed25519 key in the token was bound to ES256")
	}
}
