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
	aud := testAudience
	tenYears := func() time.Time { return testNow.Add(10 * 365 * 24 * time.Hour) }
	tests := []struct {
		name      string
		opts      []SignOption
		aud       string
		longLived bool
		want      error
	}{
		{"no exp, long-lived verifier, ten years on", []SignOption{WithoutExpiry()}, aud, true, nil},
		{"no exp, message verifier", []SignOption{WithoutExpiry()}, aud, false, ErrClaims},
		{"exp passed, long-lived verifier", []SignOption{WithExpiresAt(testNow.Add(24 * time.Hour))}, aud, true, ErrExpired},
		{"exp ahead, long-lived verifier, no lifetime cap", []SignOption{WithExpiresAt(testNow.Add(20 * 365 * 24 * time.Hour))}, aud, true, nil},
		{"exp far ahead, message verifier refuses the lifetime", []SignOption{WithExpiresAt(testNow.Add(20 * 365 * 24 * time.Hour))}, aud, false, ErrClaims},
		{"no aud, long-lived verifier", []SignOption{WithoutAudience(), WithoutExpiry()}, "", true, nil},
		{"no aud, message verifier", []SignOption{WithoutAudience(), WithoutExpiry()}, "", false, ErrAudience},
		{"aud of another, long-lived verifier", []SignOption{WithoutExpiry()}, "https://other.example", true, ErrAudience},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jws, err := signer.Sign(tc.aud, nil, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			v, err := NewVerifier(testAudience, WithClock(tenYears))
			if err != nil {
				t.Fatal(err)
			}
			if tc.longLived {
				v, err = v.ForLongLived("test-file+jwt", 0)
			} else {
				v, err = v.ForType("test-file+jwt")
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Trust(testIssuer, mustKeySet(t, k).Verifying()); err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(jws)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
			if err == nil && got.IssuedAt.IsZero() {
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
	jws, err := signer.Sign(testAudience, nil, WithoutExpiry())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier(testAudience, WithClock(fixedClock))
	ll, err := v.ForLongLived(Type, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := ll.ForType(Type)
	_ = v.Trust(testIssuer, mustKeySet(t, k).Verifying())
	if _, err := ll.Verify(jws); err != nil {
		t.Fatalf("long-lived verifier: %v", err)
	}
	if _, err := back.Verify(jws); !errors.Is(err, ErrClaims) {
		t.Fatalf("ForType of a long-lived verifier accepted a token without exp: %v", err)
	}
}

// WithoutAudience and an audience are exclusive, so that neither is
// dropped by mistake.
func TestWithoutAudienceNeedsNoAudience(t *testing.T) {
	signer, _ := NewSigner(mustKeySet(t, testKey(t, EdDSA)), testIssuer)
	if _, err := signer.Sign(testAudience, nil, WithoutAudience()); !errors.Is(err, ErrAudience) {
		t.Fatalf("WithoutAudience with an audience: %v", err)
	}
	if _, err := signer.Sign("", nil); !errors.Is(err, ErrAudience) {
		t.Fatalf("no audience without WithoutAudience: %v", err)
	}
}

// The reader's maximum age refuses data signed longer ago, whatever its exp.
func TestLongLivedMaxAge(t *testing.T) {
	k := testKey(t, EdDSA)
	signer, _ := NewSigner(mustKeySet(t, k), testIssuer, WithClock(fixedClock))
	jws, err := signer.Sign(testAudience, nil, WithoutExpiry())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		later  time.Duration
		maxAge time.Duration
		want   error
	}{
		{2 * time.Hour, time.Hour, ErrExpired},
		{30 * time.Minute, time.Hour, nil},
		{2 * time.Hour, 0, nil},
	} {
		v, _ := NewVerifier(testAudience, WithClock(func() time.Time { return testNow.Add(tc.later) }))
		ll, err := v.ForLongLived(Type, tc.maxAge)
		if err != nil {
			t.Fatal(err)
		}
		_ = v.Trust(testIssuer, mustKeySet(t, k).Verifying())
		if _, err := ll.Verify(jws); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Fatalf("%v later, max age %v: %v, want %v", tc.later, tc.maxAge, err, tc.want)
		}
	}
}
