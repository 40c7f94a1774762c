package token

import (
	"errors"
	"testing"
	"time"
)

// A token on data at rest has no exp unless asked: only a long-lived
// verifier accepts it, years later, and an exp it does carry still ends it.
func TestLongLivedTokens(t *testing.T) {
	k := testKey(t, EdDSA)
	signer, err := NewSigner(mustKeySet(t, k), testIssuer, WithClock(fixedClock), WithType("test-file+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	tenYears := func() time.Time { return testNow.Add(10 * 365 * 24 * time.Hour) }
	tests := []struct {
		name      string
		opt       SignOption
		longLived bool
		want      error
	}{
		{"no exp, long-lived verifier, ten years on", WithoutExpiry(), true, nil},
		{"no exp, message verifier", WithoutExpiry(), false, ErrClaims},
		{"exp passed, long-lived verifier", WithExpiresAt(testNow.Add(24 * time.Hour)), true, ErrExpired},
		{"exp ahead, long-lived verifier, no lifetime cap", WithExpiresAt(testNow.Add(20 * 365 * 24 * time.Hour)), true, nil},
		{"exp far ahead, message verifier refuses the lifetime", WithExpiresAt(testNow.Add(20 * 365 * 24 * time.Hour)), false, ErrClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jws, err := signer.Sign([]string{testAudience}, nil, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			v, err := NewVerifier(testAudience, WithClock(tenYears))
			if err != nil {
				t.Fatal(err)
			}
			if tc.longLived {
				v, err = v.ForLongLived("test-file+jwt")
			} else {
				v, err = v.ForType("test-file+jwt")
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Trust(testIssuer, mustKeySet(t, k).Public()); err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(jws)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
			if err == nil && tc.opt != nil && got.IssuedAt.IsZero() {
				t.Fatal("verified token lost its iat")
			}
		})
	}
}

// A verifier made from a long-lived one by ForType is a message verifier
// again: exp required.
func TestForTypeResetsLongLived(t *testing.T) {
	k := testKey(t, EdDSA)
	signer, _ := NewSigner(mustKeySet(t, k), testIssuer, WithClock(fixedClock))
	jws, err := signer.Sign([]string{testAudience}, nil, WithoutExpiry())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier(testAudience, WithClock(fixedClock))
	ll, err := v.ForLongLived(Type)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := ll.ForType(Type)
	_ = v.Trust(testIssuer, mustKeySet(t, k).Public())
	if _, err := ll.Verify(jws); err != nil {
		t.Fatalf("long-lived verifier: %v", err)
	}
	if _, err := back.Verify(jws); !errors.Is(err, ErrClaims) {
		t.Fatalf("ForType of a long-lived verifier accepted a token without exp: %v", err)
	}
}
