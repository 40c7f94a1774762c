package token

import (
	"errors"
	"strings"
	"testing"
)

// A claim read by name is matched byte for byte: a token holding it and a
// case variant (ASCII or Unicode folding, as encoding/json reads names) is
// refused, as is a refused claim in any case; the value read is the exact
// member's.
func TestAttackClaimCaseVariants(t *testing.T) {
	k := testKey(t, EdDSA)
	v, err := newTestVerifier(t, []*SigningKey{k}).ForClaims([]string{"rkt", "scope"}, []string{"htm"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		claims map[string]any
	}{
		{"RKT beside rkt", map[string]any{"rkt": "a", "RKT": "b"}},
		{"Rkt alone", map[string]any{"Rkt": "b"}},
		{"rkT", map[string]any{"rkT": "b"}},
		{"Kelvin sign", map[string]any{"r\u212at": "b"}},
		{"SCOPE", map[string]any{"scope": "read", "SCOPE": "admin"}},
		{"long s", map[string]any{"\u017fcope": "admin"}},
		{"refused htm", map[string]any{"htm": "POST"}},
		{"refused HTM", map[string]any{"HTM": "POST"}},
		{"registered, long s", map[string]any{"\u017fub": "root"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(forge(t, hdr(k), goodClaims(t, c.claims), k))
			if !errors.Is(err, ErrClaims) {
				t.Fatalf("err = %v, want ErrClaims", err)
			}
		})
	}
	got, err := v.Verify(forge(t, hdr(k), goodClaims(t, map[string]any{"rkt": "a", "x": 1}), k))
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := got.Claim("rkt"); err != nil || string(raw) != `"a"` {
		t.Fatalf("Claim(rkt) = %q, %v", raw, err)
	}
	if s, ok, err := got.StringClaim("scope"); err != nil || ok || s != "" {
		t.Fatalf("absent scope: %q %v %v", s, ok, err)
	}
	if _, err := got.Claim("x"); !errors.Is(err, ErrConfig) {
		t.Fatalf("Claim of a name not read: %v, want ErrConfig", err)
	}
}

// A name read or refused by name need not be of lower case: the lower-case
// spelling of "userId" is its case variant, and refused as one, as is the
// registered name spelled "EXP", while the exact names are read.
func TestAttackLowerCaseVariantOfAMixedCaseName(t *testing.T) {
	k := testKey(t, EdDSA)
	v, err := newTestVerifier(t, []*SigningKey{k}).ForClaims([]string{"userId"}, []string{"Role"})
	if err != nil {
		t.Fatal(err)
	}
	for _, claims := range []map[string]any{{"userid": "b"}, {"userId": "a", "USERID": "b"}, {"role": "admin"}, {"EXP": 1}} {
		if _, err := v.Verify(forge(t, hdr(k), goodClaims(t, claims), k)); !errors.Is(err, ErrClaims) {
			t.Errorf("%v: err = %v, want ErrClaims", claims, err)
		}
	}
	got, err := v.Verify(forge(t, hdr(k), goodClaims(t, map[string]any{"userId": "a"}), k))
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := got.Claim("userId"); err != nil || string(raw) != `"a"` {
		t.Fatalf("Claim(userId) = %q, %v", raw, err)
	}
}

func TestStringClaimSaysWhatItFound(t *testing.T) {
	k := testKey(t, EdDSA)
	v, _ := newTestVerifier(t, []*SigningKey{k}).ForClaims([]string{"scope"}, nil)
	got, err := v.Verify(forge(t, hdr(k), goodClaims(t, map[string]any{"scope": 7}), k))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := got.StringClaim("scope"); !errors.Is(err, ErrClaims) || !strings.Contains(err.Error(), "a number, want a string") {
		t.Fatalf("scope 7: %v", err)
	}
}

func TestForClaimsRefusesBadNames(t *testing.T) {
	v := newTestVerifier(t, nil)
	read, _ := v.ForClaims([]string{"rkt"}, nil)
	for name, c := range map[string]struct{ read, refused []string }{
		"empty":              {[]string{""}, nil},
		"registered":         {[]string{"iss"}, nil},
		"registered refused": {nil, []string{"EXP"}},
		"twice":              {[]string{"a", "A"}, nil},
		"already read":       {nil, []string{"RKT"}},
		"too many":           {[]string{"a", "b", "c", "d", "e", "f", "g", "h"}, nil},
	} {
		if _, err := read.ForClaims(c.read, c.refused); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// WithReserved refuses the names, and their case variants, among the
// application's claims at Sign.
func TestSignRefusesReservedClaims(t *testing.T) {
	s := newTestSigner(t, testKey(t, EdDSA))
	for _, name := range []string{"htm", "HTM", "hTm", "rkt", "RKT"} {
		_, err := s.Sign(testAudience, map[string]any{name: "x"}, WithReserved("htm"), WithStringClaim("rkt", "t"))
		if !errors.Is(err, ErrClaims) {
			t.Errorf("claim %q: %v, want ErrClaims", name, err)
		}
	}
	if _, err := s.Sign(testAudience, map[string]any{"other": "x"}, WithReserved("htm")); err != nil {
		t.Fatal(err)
	}
}
