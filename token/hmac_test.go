package token

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// A service that holds only the shared secret builds its verifier in two
// calls after NewVerifier: the secret's key set, then Trust. Tokens signed
// with the secret verify; tokens signed with another secret do not; a
// short secret is refused; and the set never writes the secret out.
func TestHMACVerifierFromTheSecretAlone(t *testing.T) {
	secret := bytes.Repeat([]byte("s"), MinHMACKeySize)
	v, err := NewVerifier(testAudience, WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := NewHMACVerifyingKeySet(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust(testIssuer, keys); err != nil {
		t.Fatal(err)
	}
	sign := func(secret []byte) string {
		k, err := NewHMACKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := newTestSigner(t, k).Sign(testAudience, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if _, err := v.Verify(sign(secret)); err != nil {
		t.Fatalf("a token signed with the secret: %v", err)
	}
	other := bytes.Repeat([]byte("o"), MinHMACKeySize)
	if _, err := v.Verify(sign(other)); !errors.Is(err, ErrSignature) && !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a token signed with another secret: %v, want ErrSignature or ErrUnknownKey", err)
	}
	if _, err := NewHMACVerifyingKeySet(secret[:MinHMACKeySize-1]); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a %d-byte secret: %v, want ErrInvalidKey", MinHMACKeySize-1, err)
	}
	if out, err := keys.MarshalJSON(); err == nil || bytes.Contains(out, secret) {
		t.Fatalf("the secret's key set marshalled: %q, %v", out, err)
	}
}

// No method named Public hands out a secret: what turns a signing key (or
// set) into the key that verifies it is named Verifying, since for HS256
// that is the secret itself.
func TestNoPublicMethodOnSigningKeys(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[*SigningKey](), reflect.TypeFor[*KeySet]()} {
		if _, ok := typ.MethodByName("Public"); ok {
			t.Errorf("%v has a method Public, which for HS256 would return the secret", typ)
		}
		if _, ok := typ.MethodByName("Verifying"); !ok {
			t.Errorf("%v has no method Verifying", typ)
		}
	}
	k, err := NewHMACKey(bytes.Repeat([]byte("s"), MinHMACKeySize))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Verifying().MarshalJSON(); err == nil {
		t.Fatal("an HS256 verifying key marshalled")
	}
}
