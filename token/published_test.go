package token

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// publicJWKWith returns k's public JWK with members replaced (nil deletes).
func publicJWKWith(t *testing.T, k *SigningKey, over map[string]any) string {
	return string(editJWK(t, k, false, over))
}

// shortRSAJWK is a 1024-bit RSA public JWK, as old identity providers
// still publish.
func shortRSAJWK(t *testing.T) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return `{"kty":"RSA","alg":"RS256","use":"sig","kid":"old-1024","n":"` + strict.Encode(priv.N.Bytes()) + `","e":"AQAB"}`
}

// TestPublishedKeySetSkipsUnusableKeys reads a Keycloak-style JWKS: two
// usable signing keys beside keys of other uses, kinds, curves and sizes,
// which RFC 7517 section 5 says a reader ignores. Each skipped key is named.
func TestPublishedKeySetSkipsUnusableKeys(t *testing.T) {
	rs, es := testKey(t, RS256), testKey(t, ES256)
	others := map[string]string{
		"enc":      publicJWKWith(t, rs, map[string]any{"kid": "enc-key", "use": "enc", "alg": "RSA-OAEP"}),
		"kty":      `{"kty":"LWE","kid":"future","alg":"X-1","use":"sig","k":"AAAA"}`,
		"p521":     `{"kty":"EC","kid":"p521","crv":"P-521","x":"AAAA","y":"AAAA"}`,
		"old-1024": shortRSAJWK(t),
		"rs512":    publicJWKWith(t, rs, map[string]any{"kid": "rs512", "alg": "RS512"}),
		"x25519":   `{"kty":"OKP","kid":"x25519","crv":"X25519","x":"` + strict.Encode(make([]byte, 32)) + `"}`,
		"oct":      `{"kty":"oct","kid":"hmac","alg":"HS256","k":"` + strict.Encode(make([]byte, 32)) + `"}`,
	}
	parts := []string{string(must(rs.Verifying().MarshalJSON())), string(must(es.Verifying().MarshalJSON()))}
	for _, j := range others {
		parts = append(parts, j)
	}
	set, err := ParseVerifyingKeySet([]byte(`{"keys":[` + strings.Join(parts, ",") + `]}`))
	if err != nil {
		t.Fatalf("ParseVerifyingKeySet: %v", err)
	}
	if n := len(set.Keys()); n != 2 {
		t.Fatalf("%d usable keys, want 2", n)
	}
	for _, k := range []*SigningKey{rs, es} {
		if _, ok := set.Lookup(k.KID()); !ok {
			t.Errorf("usable %s key missing", k.Alg())
		}
	}
	skipped := set.Skipped()
	if len(skipped) != len(others) {
		t.Fatalf("%d skipped, want %d: %v", len(skipped), len(others), skipped)
	}
	all := errors.Join(skipped...).Error()
	for _, kid := range []string{"enc-key", "future", "p521", "old-1024", "rs512", "x25519", "hmac"} {
		if !strings.Contains(all, `(kid "`+kid+`") skipped`) {
			t.Errorf("skipped key %q not named in %q", kid, all)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestPublishedKeySetStillRefuses shows what is not skipped: a set with no
// usable key, and a malformed key of a usable kind, which makes the whole
// set suspect.
func TestPublishedKeySetStillRefuses(t *testing.T) {
	ed := testKey(t, EdDSA)
	good := string(must(ed.Verifying().MarshalJSON()))
	for name, c := range map[string]struct {
		doc  string
		want error
	}{
		"only unusable keys":   {`{"keys":[{"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}]}`, ErrUnsupported},
		"only a symmetric key": {`{"keys":[{"kty":"oct","alg":"HS256","k":"` + strict.Encode(make([]byte, 32)) + `"}]}`, ErrInvalidKey},
		"malformed usable key": {`{"keys":[` + good + `,` + publicJWKWith(t, newKey(t, EdDSA), map[string]any{"x": "not base64!"}) + `]}`, ErrMalformed},
		"short Ed25519 point":  {`{"keys":[` + good + `,` + publicJWKWith(t, newKey(t, EdDSA), map[string]any{"x": "AAAA"}) + `]}`, ErrInvalidKey},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseVerifyingKeySet([]byte(c.doc))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestSingleKeyStaysStrict: a key given on its own is one the caller asked
// for, so a key of the wrong kind is an error, not a skip.
func TestSingleKeyStaysStrict(t *testing.T) {
	rs := testKey(t, RS256)
	for name, doc := range map[string]string{
		"wrong use":   publicJWKWith(t, rs, map[string]any{"use": "enc"}),
		"unknown alg": publicJWKWith(t, rs, map[string]any{"alg": "RS512"}),
		"short RSA":   shortRSAJWK(t),
		"P-521":       `{"kty":"EC","crv":"P-521","x":"AAAA","y":"AAAA"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseVerifyingJWK([]byte(doc)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestAttackSymmetricKeyInPublishedJWKS: an identity provider's JWKS that
// (by mistake or by an attacker's hand) carries an oct key. Anybody who
// fetched the JWKS holds that secret; a token they mint with it must not
// verify, because no published set yields a symmetric key.
func TestAttackSymmetricKeyInPublishedJWKS(t *testing.T) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	ed := testKey(t, EdDSA)
	doc := `{"keys":[` + string(must(ed.Verifying().MarshalJSON())) +
		`,{"kty":"oct","kid":"shared","alg":"HS256","use":"sig","k":"` + strict.Encode(secret) + `"}]}`
	set, err := ParseVerifyingKeySet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := set.Lookup("shared"); ok {
		t.Fatal("the oct key of a published JWKS became a verifying key")
	}
	v, err := NewVerifier(testAudience, WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust(testIssuer, set); err != nil {
		t.Fatal(err)
	}
	si := strict.Encode([]byte(`{"alg":"HS256","kid":"shared","typ":"`+Type+`"}`)) + "." + strict.Encode([]byte(goodClaims(t, nil)))
	sig, err := jwt.SigningMethodHS256.Sign(si, secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(si + "." + strict.Encode(sig)); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("token minted with the published secret: %v, want ErrUnknownKey", err)
	}
	if _, err := ParseVerifyingJWK([]byte(`{"kty":"oct","alg":"HS256","k":"` + strict.Encode(secret) + `"}`)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a public-key parser read a shared secret: %v", err)
	}
}

// TestRFC9864Ed25519Alg reads a JWK whose alg is RFC 9864's "Ed25519" as
// an EdDSA key, and verifies a token whose header says "Ed25519".
func TestRFC9864Ed25519Alg(t *testing.T) {
	k := newKey(t, EdDSA)
	pub, err := ParseVerifyingJWK([]byte(publicJWKWith(t, k, map[string]any{"alg": "Ed25519"})))
	if err != nil {
		t.Fatalf("alg Ed25519 refused: %v", err)
	}
	if pub.Alg() != EdDSA || pub.KID() != k.KID() {
		t.Fatalf("read as %s %s", pub.Alg(), pub.KID())
	}
	if _, err := ParseVerifyingJWK([]byte(publicJWKWith(t, k, map[string]any{"alg": "Ed25519"})), WithJWKAlg(EdDSA)); err != nil {
		t.Fatalf("Ed25519 and a named EdDSA disagree: %v", err)
	}
	if _, err := ParseVerifyingJWK([]byte(publicJWKWith(t, testKey(t, ES256), map[string]any{"alg": "Ed25519"}))); err == nil {
		t.Fatal("alg Ed25519 accepted on an EC key")
	}
	v := newTestVerifier(t, []*SigningKey{k})
	tok := forge(t, `{"alg":"Ed25519","kid":"`+k.KID()+`","typ":"`+Type+`"}`, goodClaims(t, nil), k)
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("header alg Ed25519: %v", err)
	}
	if out, _ := pub.MarshalJSON(); !strings.Contains(string(out), `"alg":"EdDSA"`) {
		t.Fatalf("written as %s, want alg EdDSA", out)
	}
}
