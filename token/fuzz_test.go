package token

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// sentinels are every error Verify and the JWK parsers may wrap.
var sentinels = []error{ErrMalformed, ErrUnsupported, ErrTooLarge, ErrUnknownKey, ErrInvalidKey, ErrSignature,
	ErrExpired, ErrNotYetValid, ErrAudience, ErrIssuer, ErrClaims}

func wrapsSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// fuzzAlgs are the keys FuzzVerify trusts. ML-DSA is left out: each
// verification costs tens of microseconds, and the fuzzing engine spends
// its minimisation budget re-verifying large ML-DSA inputs instead of
// exploring. The header, claims and encoding paths do not depend on the
// alg; ML-DSA's own failure modes have dedicated tests.
var fuzzAlgs = []Alg{EdDSA, ES256, HS256}

func FuzzVerify(f *testing.F) {
	var keys []*SigningKey
	for _, alg := range fuzzAlgs {
		k := testKey(f, alg)
		keys = append(keys, k)
		tok, err := newTestSigner(f, k).Sign(testAudience, map[string]any{"sub": "s", "nbf": testNow.Unix(), "n": []any{1, "a", nil}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[0] + "==." + parts[1] + "." + parts[2])
		f.Add(strict.Encode([]byte(`{"alg":"none","kid":"`+k.kid+`","typ":"`+Type+`"}`)) + "." + parts[1] + ".")
	}
	k := keys[0]
	for _, c := range []string{
		goodClaims(f, map[string]any{"exp": 0}),
		goodClaims(f, map[string]any{"EXP": 1}),
		goodClaims(f, map[string]any{"aud": 7}),
		`{"iss":"` + testIssuer + `","aud":["` + testAudience + `"],"iat":1700000000,"exp":1700000300.5,"jti":"\u0041"}`,
		`{"iss":"` + testIssuer + `","aud":["` + testAudience + `","x"],"iat":1700000000,"exp":1700000300,"jti":"j"}`,
		`{"a":{"b":[1,{"c":"\"}"}]},"iss":"` + testIssuer + `","aud":"` + testAudience + `","iat":1700000000,"exp":1700000300,"jti":"j"}`,
	} {
		f.Add(forge(f, hdr(k), c, k))
	}
	f.Add(forge(f, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+Type+`","jku":"http://127.0.0.1:1/"}`, goodClaims(f, nil), k))
	f.Add(forge(f, `{"kid":"`+k.kid+`","typ":"`+Type+`","alg":"EdDSA"}`, goodClaims(f, nil), k))
	f.Add("..")
	f.Add(strings.Repeat(".", 100))
	hs := testKey(f, HS256)
	f.Add(forge(f, `{"alg":"HS256","typ":"JWT"}`, `{"authorized":true,"client":"c","exp":1700000300}`, hs))
	for _, c := range []map[string]any{{"rkt": "a"}, {"rkt": "a", "RKT": "b"}, {"\u017fcope": "admin"}, {"htm": "POST"}, {"rkt": 7}} {
		f.Add(forge(f, hdr(k), goodClaims(f, c), k))
	}
	v, err := newTestVerifier(f, keys).ForClaims(fuzzRead, fuzzRefused)
	if err != nil {
		f.Fatal(err)
	}
	tutorial := newTestVerifier(f, []*SigningKey{hs}, WithTutorialCompat())
	f.Fuzz(func(t *testing.T, tok string) {
		if got, err := tutorial.Verify(tok); err != nil && !wrapsSentinel(err) {
			t.Fatalf("tutorial compat: error wraps no sentinel: %v", err)
		} else if err == nil && (got.Issuer != testIssuer || got.ExpiresAt.After(testNow.Add(DefaultMaxLifetime+DefaultLeeway)) ||
			!got.ExpiresAt.Add(DefaultLeeway).After(testNow)) {
			t.Fatalf("tutorial compat accepted a token that breaks the policy: %+v", got)
		}
		got, err := v.Verify(tok)
		if err != nil {
			if got != nil {
				t.Fatal("result with an error")
			}
			if !wrapsSentinel(err) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if got.Issuer != testIssuer || !slices.Contains(got.Audience, testAudience) || got.ID == "" ||
			got.ExpiresAt.Sub(got.IssuedAt) > DefaultMaxLifetime || !got.ExpiresAt.Add(DefaultLeeway).After(testNow) {
			t.Fatalf("accepted a token that breaks the policy: %+v", got)
		}
		names, err := strict.Object(got.Payload)
		if err != nil {
			t.Fatalf("accepted a payload strict.Object refuses: %v", err)
		}
		for _, n := range names {
			if strict.CheckNameCase(n, registeredNames, ErrClaims) != nil {
				t.Fatalf("accepted a case variant %q", n)
			}
		}
		checkReadClaims(t, got)
	})
}

// The claims FuzzVerify's verifier reads by name and refuses.
var fuzzRead, fuzzRefused = []string{"rkt", "scope"}, []string{"htm"}

// checkReadClaims checks an accepted token against the claims read by
// name: no refused claim nor any case variant, and each value read is the
// exact member's own.
func checkReadClaims(t *testing.T, got *Verified) {
	t.Helper()
	exact := map[string][]byte{}
	_ = strict.Members(got.Payload, func(name string, value []byte) error {
		for _, k := range slices.Concat(fuzzRead, fuzzRefused) {
			if strict.CaseVariant(name, k) || (name == k && slices.Contains(fuzzRefused, k)) {
				t.Fatalf("accepted claim %q beside %q", name, k)
			}
		}
		exact[name] = value
		return nil
	})
	for _, name := range fuzzRead {
		raw, err := got.Claim(name)
		if err != nil || !bytes.Equal(raw, exact[name]) {
			t.Fatalf("Claim(%q) = %q, %v; the payload holds %q", name, raw, err, exact[name])
		}
	}
}

func FuzzParseJWK(f *testing.F) {
	for _, alg := range Algs() {
		k := testKey(f, alg)
		priv, err := k.MarshalJSON()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(priv)
		if alg != HS256 {
			pub, _ := k.Verifying().MarshalJSON()
			f.Add(pub)
		}
	}
	f.Add([]byte(`{"kty":"EC","alg":"ES256","crv":"P-256","x":"","y":""}`))
	f.Add([]byte(`{"kty":"oct","alg":"HS256","k":"AAAA","KTY":"RSA"}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}],"kty":"OKP"}`))
	f.Add([]byte(`{"Keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A key the single-key parser reads is a key set of one: the set
		// parsers take the lone JWK as well as a JWKS.
		if k, err := ParseSigningJWK(data); err == nil {
			out, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParseSigningJWK(out)
			if err != nil || k2.KID() != k.KID() || k2.Alg() != k.Alg() {
				t.Fatalf("private JWK does not round-trip: %v", err)
			}
			if ks, err := ParseKeySet(data); err != nil || len(ks.Keys()) != 1 || ks.Primary().KID() != k.KID() {
				t.Fatalf("a private JWK is not read as a key set of one: %v", err)
			}
		} else if !wrapsSentinel(err) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if k, err := ParseVerifyingJWK(data); err == nil {
			if k.Alg() == HS256 {
				return
			}
			out, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParseVerifyingJWK(out)
			if err != nil || k2.KID() != k.KID() || k2.Alg() != k.Alg() {
				t.Fatalf("public JWK does not round-trip: %v", err)
			}
			if ks, err := ParseVerifyingKeySet(data); err != nil || len(ks.Keys()) != 1 || ks.Keys()[0].KID() != k.KID() {
				t.Fatalf("a public JWK is not read as a key set of one: %v", err)
			}
		} else if !wrapsSentinel(err) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if _, err := ParseVerifyingKeySet(data); err != nil && !wrapsSentinel(err) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		if _, err := ParseKeySet(data); err != nil && !wrapsSentinel(err) {
			t.Fatalf("error wraps no sentinel: %v", err)
		}
	})
}

// FuzzVerifyJWS feeds arbitrary compact JWSs to VerifyJWS. Whatever the
// input: no panic, errors wrap a sentinel, and success only with a key of
// the set whose alg the header names.
func FuzzVerifyJWS(f *testing.F) {
	var pubs []*VerifyingKey
	for _, alg := range fuzzAlgs {
		k := testKey(f, alg)
		pubs = append(pubs, k.Verifying())
		f.Add(forge(f, `{"alg":"`+string(alg)+`","kid":"`+k.kid+`"}`, "payload", k))
		f.Add(forge(f, `{"alg":"`+string(alg)+`","kid":"`+k.kid+`","typ":"t","cty":"c","crit":[]}`, "", k))
	}
	f.Add("..")
	keys, err := NewVerifyingKeySet(pubs...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, jws string) {
		got, err := VerifyJWS(jws, keys)
		if err != nil {
			if !wrapsSentinel(err) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		k, ok := keys.Lookup(got.KID)
		if !ok || k.Alg() != got.Alg {
			t.Fatalf("verified with %s %s", got.KID, got.Alg)
		}
	})
}

// FuzzParsePEM: the PEM and DER readers never panic, refuse with a
// sentinel, and what they read writes back and reads as the same key.
func FuzzParsePEM(f *testing.F) {
	for _, alg := range []Alg{EdDSA, ES256, MLDSA44} {
		k, _ := GenerateKey(alg)
		priv, _ := k.MarshalPEM()
		pub, _ := k.Verifying().MarshalPEM()
		f.Add(priv)
		f.Add(pub)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := ParseSigningPEM(data, WithJWKAlg(PS256)); err == nil {
			if _, err := k.MarshalPEM(); err != nil {
				t.Fatalf("read but not written: %v", err)
			}
		} else if !wrapsSentinel(err) {
			t.Fatalf("unclassified: %v", err)
		}
		if _, err := ParseVerifyingPEM(data); err != nil && !wrapsSentinel(err) {
			t.Fatalf("unclassified: %v", err)
		}
	})
}
