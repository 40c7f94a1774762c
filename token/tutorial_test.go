package token

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// The classic tutorial's client signs {"authorized":true,"client":...,
// "exp":...} with HS256 under {"alg":"HS256","typ":"JWT"}: no kid, iss,
// aud, jti or iat. WithTutorialCompat accepts exactly that, still checks
// whatever is present, and the default Verifier keeps refusing it.
func TestTutorialCompat(t *testing.T) {
	k := testKey(t, HS256)
	exp := testNow.Unix() + 600
	tutorialClaims := fmt.Sprintf(`{"authorized":true,"client":"Krissanawat","exp":%d}`, exp)
	tutorial := forge(t, `{"alg":"HS256","typ":"JWT"}`, tutorialClaims, k)
	compat := newTestVerifier(t, []*SigningKey{k}, WithTutorialCompat())

	v, err := compat.Verify(tutorial)
	if err != nil {
		t.Fatalf("tutorial token with the option: %v", err)
	}
	if v.Issuer != testIssuer || v.ExpiresAt.Unix() != exp || v.ID != "" || !v.IssuedAt.IsZero() {
		t.Fatalf("verified %+v", v)
	}
	var app struct {
		Authorized bool   `json:"authorized"`
		Client     string `json:"client"`
	}
	if err := v.Decode(&app); err != nil || !app.Authorized || app.Client != "Krissanawat" {
		t.Fatalf("application claims %+v %v", app, err)
	}
	if _, err := newTestVerifier(t, []*SigningKey{k}).Verify(tutorial); !errors.Is(err, ErrMalformed) {
		t.Fatalf("tutorial token without the option: %v, want ErrMalformed", err)
	}
	if _, err := compat.Verify(forge(t, `{"alg":"HS256"}`, tutorialClaims, k)); err != nil {
		t.Fatalf("no typ at all: %v", err)
	}
	strictTok, _ := newTestSigner(t, k).Sign(testAudience, nil)
	if _, err := compat.Verify(strictTok); err != nil {
		t.Fatalf("a strict token under the option: %v", err)
	}

	other := newKey(t, HS256)
	for _, tc := range []struct {
		name string
		tok  string
		v    *Verifier
		want error
	}{
		{"no kid with two trusted keys", tutorial, newTestVerifier(t, []*SigningKey{k, other}, WithTutorialCompat()), ErrUnknownKey},
		{"other secret", forge(t, `{"alg":"HS256","typ":"JWT"}`, tutorialClaims, other), compat, ErrSignature},
		{"alg none", noneToken(tutorialClaims), compat, ErrSignature},
		{"another typ", forge(t, `{"alg":"HS256","typ":"at+jwt"}`, tutorialClaims, k), compat, ErrMalformed},
		{"empty kid", forge(t, `{"alg":"HS256","typ":"JWT","kid":""}`, tutorialClaims, k), compat, ErrMalformed},
		{"exp missing", forge(t, `{"alg":"HS256","typ":"JWT"}`, `{"authorized":true}`, k), compat, ErrClaims},
		{"expired", forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"exp":%d}`, testNow.Unix()-60), k), compat, ErrExpired},
		{"exp beyond the maximum lifetime", forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"exp":%d}`, testNow.Unix()+7200), k), compat, ErrClaims},
		{"aud naming another service", forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"aud":"other","exp":%d}`, exp), k), compat, ErrAudience},
		{"iss naming another issuer", forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"iss":"other","exp":%d}`, exp), k), compat, ErrIssuer},
		{"jti not a string", forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"jti":1,"exp":%d}`, exp), k), compat, ErrClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.v.Verify(tc.tok); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// noneToken is claims under {"alg":"none"} with an empty signature.
func noneToken(claims string) string {
	return strict.Encode([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + strict.Encode([]byte(claims)) + "."
}

// The tutorial's own secret is 24 bytes, under the 32 that RFC 7518
// section 3.2 requires: NewHMACKey refuses it, NewTutorialHMACKey takes it
// (and nothing empty), and the tutorial's token verifies with it.
func TestTutorialHMACKeyTakesTheTutorialsSecret(t *testing.T) {
	secret := []byte("captainjacksparrowsayshi")
	if _, err := NewHMACKey(secret); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("NewHMACKey with %d bytes: %v, want ErrInvalidKey", len(secret), err)
	}
	if _, err := NewTutorialHMACKey(nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("NewTutorialHMACKey with no secret: %v, want ErrInvalidKey", err)
	}
	k, err := NewTutorialHMACKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	tok := forge(t, `{"alg":"HS256","typ":"JWT"}`, fmt.Sprintf(`{"authorized":true,"exp":%d}`, testNow.Unix()+600), k)
	if _, err := newTestVerifier(t, []*SigningKey{k}, WithTutorialCompat()).Verify(tok); err != nil {
		t.Fatalf("the tutorial's token under its own secret: %v", err)
	}
	short := `{"kty":"oct","alg":"HS256","k":"` + strict.Encode(secret) + `"}`
	if _, err := ParseSigningJWK([]byte(short)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a short secret as a JWK: %v, want ErrInvalidKey", err)
	}
}
