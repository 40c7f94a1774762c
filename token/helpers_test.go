package token

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// testNow is the fixed instant every test signs and verifies at.
var testNow = time.Unix(1_700_000_000, 0)

func fixedClock() time.Time { return testNow }

const (
	testIssuer   = "https://sender.example"
	testAudience = "https://receiver.example"
)

var (
	keyCacheMu sync.Mutex
	keyCache   = map[Alg]*SigningKey{}
)

// testKey returns one key per alg for the whole test binary, because RSA
// generation is slow under -race.
func testKey(t testing.TB, alg Alg) *SigningKey {
	t.Helper()
	keyCacheMu.Lock()
	defer keyCacheMu.Unlock()
	if k, ok := keyCache[alg]; ok {
		return k
	}
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatalf("GenerateKey(%s): %v", alg, err)
	}
	keyCache[alg] = k
	return k
}

func newKey(t testing.TB, alg Alg) *SigningKey {
	t.Helper()
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatalf("GenerateKey(%s): %v", alg, err)
	}
	return k
}

func mustKeySet(t testing.TB, k *SigningKey) *KeySet {
	t.Helper()
	ks, err := NewKeySet(k)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func newTestSigner(t testing.TB, k *SigningKey, opts ...SignerOption) *Signer {
	t.Helper()
	s, err := NewSigner(mustKeySet(t, k), testIssuer, append([]SignerOption{WithClock(fixedClock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newTestVerifier trusts each key for testIssuer.
func newTestVerifier(t testing.TB, keys []*SigningKey, opts ...VerifierOption) *Verifier {
	t.Helper()
	v, err := NewVerifier(testAudience, append([]VerifierOption{WithClock(fixedClock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		vs, err := NewVerifyingKeySet(k.Verifying())
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Trust(testIssuer, vs); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// forge signs an arbitrary header and claims JSON with k through the
// golang-jwt method of k's alg, the way an attacker holding k (or a
// careless peer) could.
func forge(t testing.TB, header, claims string, k *SigningKey) string {
	t.Helper()
	si := strict.Encode([]byte(header)) + "." + strict.Encode([]byte(claims))
	sig, err := k.pub.method.Sign(si, k.key)
	if err != nil {
		t.Fatal(err)
	}
	return si + "." + strict.Encode(sig)
}

// hdr returns the header our Signer would write for k.
func hdr(k *SigningKey) string {
	return `{"alg":"` + string(k.alg) + `","kid":"` + k.kid + `","typ":"` + Type + `"}`
}

// goodClaims returns valid claims at testNow, with overrides applied:
// a nil value deletes the member.
func goodClaims(t testing.TB, over map[string]any) string {
	t.Helper()
	c := map[string]any{
		"iss": testIssuer, "aud": testAudience, "iat": testNow.Unix(),
		"exp": testNow.Unix() + 300, "jti": "AAAAAAAAAAAAAAAAAAAAAA",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
