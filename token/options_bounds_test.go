package token

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// An option out of its bounds is ErrConfig naming the option, its bounds
// and the value found.
func TestOptionOutOfBoundsNamesOptionBoundAndValue(t *testing.T) {
	ks := mustKeySet(t, testKey(t, EdDSA))
	for want, err := range map[string]error{
		"WithLeeway must be 0 to 5m0s, got 6m0s":                                     verifierErr(WithLeeway(6 * time.Minute)),
		"WithMaxLifetime must be at least 1s, got 0s":                                verifierErr(WithMaxLifetime(0)),
		"WithMaxSize must be at least 64 bytes, got 1":                               verifierErr(WithMaxSize(1)),
		"WithType must be 1 to 64 bytes, got 0":                                      verifierErr(WithType("")),
		"WithLifetime must be 1s to 24h0m0s in whole seconds, got 25h0m0s":           signerErr(ks, WithLifetime(25*time.Hour)),
		`WithType must be printable ASCII without quotes or backslashes, got "a\"b"`: signerErr(ks, WithType(`a"b`)),
	} {
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v, want ErrConfig saying %q", err, want)
		}
	}
}

// WithClock(nil) is the default clock, as for every WithClock of the
// module: a token signed now verifies.
func TestWithClockNilIsTimeNow(t *testing.T) {
	ks := mustKeySet(t, testKey(t, EdDSA))
	s, err := NewSigner(ks, testIssuer, WithClock(nil))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(testAudience, WithClock(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust(testIssuer, ks.Verifying()); err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(testAudience, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("token signed and verified by the nil clock: %v", err)
	}
}

func verifierErr(o VerifierOption) error {
	_, err := NewVerifier(testAudience, o)
	return err
}

func signerErr(ks *KeySet, o SignerOption) error {
	_, err := NewSigner(ks, testIssuer, o)
	return err
}
