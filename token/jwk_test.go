package token

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// editJWK returns k's JWK (private or public) with members changed; a nil
// value deletes the member.
func editJWK(t *testing.T, k *SigningKey, private bool, over map[string]any) []byte {
	t.Helper()
	var data []byte
	var err error
	if private {
		data, err = k.MarshalJSON()
	} else {
		data, err = k.Verifying().MarshalJSON()
	}
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for name, v := range over {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	out, _ := json.Marshal(m)
	return out
}

func TestJWKRejections(t *testing.T) {
	ed, ec, ml := testKey(t, EdDSA), testKey(t, ES256), testKey(t, MLDSA44)
	otherML := newKey(t, MLDSA44)
	otherMLPub := editJWK(t, otherML, false, nil)
	var otherPub map[string]any
	_ = json.Unmarshal(otherMLPub, &otherPub)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallJWK := `{"kty":"RSA","alg":"RS256","n":"` + strict.Encode(small.N.Bytes()) + `","e":"AQAB"}`
	cases := []struct {
		name    string
		data    []byte
		private bool
		want    error
	}{
		{"RSA key of 1024 bits", []byte(smallJWK), false, ErrInvalidKey},
		{"RSA without alg", []byte(strings.Replace(smallJWK, `"alg":"RS256",`, "", 1)), false, ErrInvalidKey},
		{"ML-DSA without alg", editJWK(t, ml, false, map[string]any{"alg": nil}), false, ErrInvalidKey},
		{"alg of another family", editJWK(t, ed, false, map[string]any{"alg": "ES256"}), false, ErrInvalidKey},
		{"alg none", editJWK(t, ed, false, map[string]any{"alg": "none"}), false, ErrUnsupported},
		{"use enc", editJWK(t, ed, false, map[string]any{"use": "enc"}), false, ErrInvalidKey},
		{"key_ops encrypt", editJWK(t, ed, false, map[string]any{"key_ops": []string{"encrypt"}}), false, ErrInvalidKey},
		{"kid empty", editJWK(t, ed, false, map[string]any{"kid": ""}), false, ErrInvalidKey},
		{"kid over 256 bytes", editJWK(t, ed, false, map[string]any{"kid": strings.Repeat("k", maxKIDLen+1)}), false, ErrInvalidKey},
		{"EC curve of another alg", editJWK(t, ec, false, map[string]any{"crv": "P-384"}), false, ErrInvalidKey},
		{"EC point not on the curve", editJWK(t, ec, false, map[string]any{"y": strict.Encode(make([]byte, 32))}), false, ErrInvalidKey},
		{"EC x short", editJWK(t, ec, false, map[string]any{"x": strict.Encode(make([]byte, 31))}), false, ErrInvalidKey},
		{"Ed25519 x short", editJWK(t, ed, false, map[string]any{"x": "AAAA"}), false, ErrInvalidKey},
		{"private members in a public JWK", editJWK(t, ed, true, nil), false, ErrInvalidKey},
		{"public JWK as private", editJWK(t, ed, false, nil), true, ErrInvalidKey},
		{"Ed25519 x not matching d", editJWK(t, ed, true, map[string]any{"x": editJWKMember(t, newKey(t, EdDSA), "x")}), true, ErrInvalidKey},
		{"EC d not matching x, y", editJWK(t, ec, true, map[string]any{"d": editJWKMember(t, newKey(t, ES256), "d")}), true, ErrInvalidKey},
		{"ML-DSA pub not from the seed", editJWK(t, ml, true, map[string]any{"pub": otherPub["pub"]}), true, ErrInvalidKey},
		{"ML-DSA seed short", editJWK(t, ml, true, map[string]any{"priv": "AAAA"}), true, ErrInvalidKey},
		{"ML-DSA pub of another set", editJWK(t, ml, false, map[string]any{"alg": "ML-DSA-65"}), false, ErrInvalidKey},
		{"KTY case variant", []byte(strings.Replace(string(editJWK(t, ed, false, nil)), `"kty"`, `"kty":"OKP","KTY"`, 1)), false, ErrMalformed},
		{"duplicate member", []byte(strings.Replace(string(editJWK(t, ed, false, nil)), `"kty"`, `"x":"AAAA","kty"`, 1)), false, ErrMalformed},
		{"multi-prime RSA", []byte(`{"kty":"RSA","alg":"RS256","oth":[]}`), true, ErrUnsupported},
		{"padded base64url", editJWK(t, ed, false, map[string]any{"x": editJWKMember(t, ed, "x") + "="}), false, ErrMalformed},
		{"too large", []byte(`{"kty":"` + strings.Repeat("A", maxJWKSize) + `"}`), false, ErrTooLarge},
		{"not an object", []byte(`[]`), false, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.private {
				_, err = ParseSigningJWK(c.data)
			} else {
				_, err = ParseVerifyingJWK(c.data)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v\n%s", err, c.want, c.data)
			}
		})
	}
}

func editJWKMember(t *testing.T, k *SigningKey, name string) string {
	t.Helper()
	data, _ := k.MarshalJSON()
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m[name].(string)
}

func TestJWKSRejections(t *testing.T) {
	k := testKey(t, EdDSA)
	pub, _ := k.Verifying().MarshalJSON()
	for name, doc := range map[string]string{
		"empty key list":    `{"keys":[]}`,
		"duplicate kid":     `{"keys":[` + string(pub) + `,` + string(pub) + `]}`,
		"KEYS case variant": `{"keys":[` + string(pub) + `],"KEYS":[]}`,
		"keys not a list":   `{"keys":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseVerifyingKeySet([]byte(doc)); err == nil || !wrapsSentinel(err) {
				t.Fatalf("accepted or unclassified: %v", err)
			}
		})
	}
}

// TestJWKFromOtherStacks reads keys as other JOSE libraries export them:
// no "alg" where the key implies it, and kids of the issuer's choosing.
func TestJWKFromOtherStacks(t *testing.T) {
	for _, alg := range []Alg{EdDSA, ES256, ES384} {
		t.Run(string(alg)+" implied", func(t *testing.T) {
			k := testKey(t, alg)
			pub, err := ParseVerifyingJWK(editJWK(t, k, false, map[string]any{"alg": nil, "use": nil}))
			if err != nil || pub.Alg() != alg || pub.KID() != k.KID() {
				t.Fatalf("got %v, %v", pub, err)
			}
			priv, err := ParseSigningJWK(editJWK(t, k, true, map[string]any{"alg": nil}))
			if err != nil || priv.Alg() != alg {
				t.Fatalf("private: %v", err)
			}
		})
	}
	t.Run("alg named by the caller", func(t *testing.T) {
		k := testKey(t, MLDSA44)
		data := editJWK(t, k, false, map[string]any{"alg": nil})
		pub, err := ParseVerifyingJWK(data, WithJWKAlg(MLDSA44))
		if err != nil || pub.Alg() != MLDSA44 || pub.KID() != k.KID() {
			t.Fatalf("got %v, %v", pub, err)
		}
		if _, err := ParseVerifyingJWK(data, WithJWKAlg(MLDSA65)); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("ML-DSA-44 key named ML-DSA-65: %v", err)
		}
	})
	t.Run("named alg disagrees with the JWK", func(t *testing.T) {
		data := editJWK(t, testKey(t, ES256), false, nil)
		if _, err := ParseVerifyingJWK(data, WithJWKAlg(ES384)); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("foreign kid signs and verifies", func(t *testing.T) {
		const kid = "2026-11 signing key"
		k := testKey(t, EdDSA)
		priv, err := ParseSigningJWK(editJWK(t, k, true, map[string]any{"kid": kid}))
		if err != nil || priv.KID() != kid || priv.Verifying().KID() != kid {
			t.Fatalf("private key kid: %v", err)
		}
		pub, err := ParseVerifyingJWK(editJWK(t, k, false, map[string]any{"kid": kid, "alg": nil}))
		if err != nil || pub.KID() != kid {
			t.Fatalf("public key kid: %v", err)
		}
		back, _ := pub.MarshalJSON()
		if !strings.Contains(string(back), `"kid":"`+kid+`"`) {
			t.Fatalf("marshalled JWK lost its kid: %s", back)
		}
		v, err := NewVerifier(testAudience, WithClock(fixedClock))
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := NewVerifyingKeySet(pub)
		if err := v.Trust(testIssuer, vs); err != nil {
			t.Fatal(err)
		}
		tok, err := newTestSigner(t, priv).Sign(testAudience, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.Verify(tok)
		if err != nil || got.KID != kid {
			t.Fatalf("Verify: %v", err)
		}
		// Another issuer's key given the same kid cannot shadow this one.
		shadow, err := ParseVerifyingJWK(editJWK(t, newKey(t, EdDSA), false, map[string]any{"kid": kid}))
		if err != nil {
			t.Fatal(err)
		}
		ss, _ := NewVerifyingKeySet(shadow)
		if err := v.Trust("https://attacker.example", ss); !errors.Is(err, ErrConfig) {
			t.Fatalf("kid reused by another issuer: %v", err)
		}
	})
}
