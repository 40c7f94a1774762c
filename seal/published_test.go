package seal

import (
	"errors"
	"strings"
	"testing"
)

// TestPublishedKeySetSkipsUnusableKeys reads a JWKS that mixes a
// receiver's HPKE keys with keys of other uses and kinds: the HPKE keys are
// read, the others skipped and named, and the first usable key is the
// primary.
func TestPublishedKeySetSkipsUnusableKeys(t *testing.T) {
	a, _ := GenerateKey(HPKE0)
	b, _ := GenerateKey(HPKE3)
	sigUse := jwkMap(t, a.Public())
	sigUse["use"], sigUse["kid"] = "sig", "sig-use"
	wrongCrv := jwkMap(t, a.Public())
	wrongCrv["alg"], wrongCrv["kid"] = string(HPKE1), "wrong-crv"
	doc := `{"keys":[` + strings.Join([]string{
		`{"kty":"RSA","kid":"rsa-oaep","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}`,
		`{"kty":"oct","kid":"aes","alg":"A256KW","k":"AAAA"}`,
		`{"kty":"EC","kid":"no-alg","crv":"P-256","x":"AAAA","y":"AAAA"}`,
		string(mustJSON(sigUse)), string(mustJSON(wrongCrv)),
		string(mustJSON(a.Public())), string(mustJSON(b.Public())),
	}, ",") + `]}`
	set, err := ParsePublicKeySet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if set.Primary().KID() != a.KID() || len(set.Keys()) != 2 {
		t.Fatalf("primary %s, %d keys", set.Primary().KID(), len(set.Keys()))
	}
	all := errors.Join(set.Skipped()...).Error()
	for _, kid := range []string{"rsa-oaep", "aes", "no-alg", "sig-use", "wrong-crv"} {
		if !strings.Contains(all, `(kid "`+kid+`") skipped`) {
			t.Errorf("%q not named as skipped in %q", kid, all)
		}
	}
}

// TestPublishedKeySetStillRefuses: no usable key, or a malformed HPKE key,
// fails the set; a single key stays strict.
func TestPublishedKeySetStillRefuses(t *testing.T) {
	a, _ := GenerateKey(HPKE0)
	short := jwkMap(t, a.Public())
	short["x"] = "AAAA"
	for name, c := range map[string]struct {
		doc  string
		want error
	}{
		"no usable key":      {`{"keys":[{"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}]}`, ErrUnsupported},
		"malformed HPKE key": {`{"keys":[` + string(mustJSON(a.Public())) + `,` + string(mustJSON(short)) + `]}`, ErrInvalidKey},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePublicKeySet([]byte(c.doc)); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	if _, err := ParsePublicJWK([]byte(`{"kty":"RSA","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}`)); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("single key: %v", err)
	}
}
