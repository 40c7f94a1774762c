package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

type appClaims struct {
	Subject string `json:"sub"`
	Scope   string `json:"scope"`
	N       int    `json:"n"`
}

func TestRoundTripEveryAlg(t *testing.T) {
	for _, alg := range Algs() {
		t.Run("alg="+string(alg), func(t *testing.T) {
			k := testKey(t, alg)
			s := newTestSigner(t, k)
			v := newTestVerifier(t, []*SigningKey{k})
			tok, err := s.Sign([]string{testAudience}, appClaims{Subject: "alice", Scope: "read", N: 7})
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Issuer != testIssuer || got.Subject != "alice" || got.KID != k.KID() || got.Alg != alg ||
				len(got.Audience) != 1 || got.Audience[0] != testAudience || len(got.ID) != 22 ||
				!got.IssuedAt.Equal(testNow) || !got.ExpiresAt.Equal(testNow.Add(DefaultLifetime)) || !got.NotBefore.IsZero() {
				t.Fatalf("unexpected claims %+v", got)
			}
			var app appClaims
			if err := got.Decode(&app); err != nil || app.Scope != "read" || app.N != 7 {
				t.Fatalf("Decode: %v %+v", err, app)
			}
		})
	}
}

func TestJWKRoundTripEveryAlg(t *testing.T) {
	for _, alg := range Algs() {
		t.Run("alg="+string(alg), func(t *testing.T) {
			k := testKey(t, alg)
			priv, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParseSigningJWK(priv)
			if err != nil {
				t.Fatalf("ParseSigningJWK: %v\n%s", err, priv)
			}
			if k2.KID() != k.KID() || k2.Alg() != alg {
				t.Fatalf("kid/alg changed: %s %s", k2.KID(), k2.Alg())
			}
			priv2, _ := k2.MarshalJSON()
			if !bytes.Equal(priv, priv2) {
				t.Fatalf("private JWK not stable:\n%s\n%s", priv, priv2)
			}
			var pub *VerifyingKey
			if alg == HS256 {
				if _, err := k.Public().MarshalJSON(); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("HS256 public JWK must be refused, got %v", err)
				}
				if pub, err = ParseVerifyingJWK(priv); err != nil {
					t.Fatal(err)
				}
			} else {
				pubJSON, err := k.Public().MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				if pub, err = ParseVerifyingJWK(pubJSON); err != nil {
					t.Fatalf("ParseVerifyingJWK: %v", err)
				}
				if _, err := ParseVerifyingJWK(priv); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("private JWK accepted as public: %v", err)
				}
				if _, err := ParseSigningJWK(pubJSON); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("public JWK accepted as private: %v", err)
				}
			}
			if pub.KID() != k.KID() {
				t.Fatal("public kid differs")
			}
			// A token signed by the parsed key verifies with the parsed public key.
			vs, _ := NewVerifyingKeySet(pub)
			v, _ := NewVerifier(testAudience, WithClock(fixedClock))
			if err := v.Trust(testIssuer, vs); err != nil {
				t.Fatal(err)
			}
			tok, err := newTestSigner(t, k2).Sign([]string{testAudience}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(tok); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKeySetRotation(t *testing.T) {
	oldKey, newK := newKey(t, EdDSA), newKey(t, MLDSA44)
	oldTok, err := newTestSigner(t, oldKey).Sign([]string{testAudience}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := NewKeySet(newK, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := ks.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	ks2, err := ParseKeySet(jwks)
	if err != nil {
		t.Fatal(err)
	}
	if ks2.Primary().KID() != newK.KID() {
		t.Fatal("primary not first")
	}
	if _, ok := ks2.Lookup(oldKey.KID()); !ok {
		t.Fatal("older key lost")
	}
	pubJWKS, err := ks2.Public().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	pubs, err := ParseVerifyingKeySet(pubJWKS)
	if err != nil {
		t.Fatal(err)
	}
	if len(pubs.Keys()) != 2 {
		t.Fatal("want 2 keys")
	}
	if _, err := ParseKeySet(pubJWKS); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("public JWKS accepted as private: %v", err)
	}
	v, _ := NewVerifier(testAudience, WithClock(fixedClock))
	if err := v.Trust(testIssuer, pubs); err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(ks2, testIssuer, WithSignerClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	newTok, err := s.Sign([]string{testAudience}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"old": oldTok, "new": newTok} {
		got, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "new" && got.KID != newK.KID() {
			t.Fatal("new token not signed by primary")
		}
	}
	if _, err := NewKeySet(newK, newK); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("duplicate kid accepted: %v", err)
	}
}

func TestSignerOptions(t *testing.T) {
	k := testKey(t, EdDSA)
	s := newTestSigner(t, k, WithLifetime(time.Hour), WithSignerType("JWT"))
	tok, err := s.Sign([]string{"other", testAudience}, map[string]any{"nbf": testNow.Unix(), "sub": "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newTestVerifier(t, []*SigningKey{k}).Verify(tok); !errors.Is(err, ErrMalformed) {
		t.Fatalf("typ JWT accepted by a default verifier: %v", err)
	}
	got, err := newTestVerifier(t, []*SigningKey{k}, WithType("JWT")).Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExpiresAt.Sub(got.IssuedAt) != time.Hour || !got.NotBefore.Equal(testNow) || got.Subject != "bob" || len(got.Audience) != 2 {
		t.Fatalf("%+v", got)
	}
	if _, err := newTestVerifier(t, []*SigningKey{k}, WithType("JWT"), WithMaxLifetime(30*time.Minute)).Verify(tok); !errors.Is(err, ErrClaims) {
		t.Fatalf("lifetime over the verifier's maximum accepted: %v", err)
	}
}

func TestSignRejectsBadClaims(t *testing.T) {
	s := newTestSigner(t, testKey(t, EdDSA))
	cases := []struct {
		name   string
		aud    []string
		claims any
		want   error
	}{
		{"app sets iss", []string{testAudience}, map[string]any{"iss": "x"}, ErrClaims},
		{"app sets exp", []string{testAudience}, map[string]any{"exp": 1}, ErrClaims},
		{"app sets jti", []string{testAudience}, map[string]any{"jti": "x"}, ErrClaims},
		{"app sets aud", []string{testAudience}, map[string]any{"aud": "x"}, ErrClaims},
		{"app sets iat", []string{testAudience}, map[string]any{"iat": 1}, ErrClaims},
		{"app sets EXP case variant", []string{testAudience}, map[string]any{"EXP": 1}, ErrClaims},
		{"app sub not a string", []string{testAudience}, map[string]any{"sub": 5}, ErrClaims},
		{"app nbf a string", []string{testAudience}, map[string]any{"nbf": "soon"}, ErrClaims},
		{"invalid UTF-8 keys that encode to the same name", []string{testAudience}, map[string]any{"\xff": 1, "\xfe": 2}, ErrClaims},
		{"raw value with a duplicate member", []string{testAudience}, map[string]any{"x": json.RawMessage(`{"a":1,"a":2}`)}, ErrClaims},
		{"claims not an object", []string{testAudience}, []string{"a"}, ErrClaims},
		{"no audience", nil, nil, ErrAudience},
		{"empty audience", []string{""}, nil, ErrAudience},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Sign(c.aud, c.claims); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// A token is accepted until exp plus the leeway, so a replay cache must
// remember its jti that long: ValidUntil is the moment Verify stops
// accepting it.
func TestValidUntilIsWhenVerifyStopsAccepting(t *testing.T) {
	k := testKey(t, EdDSA)
	tok, err := newTestSigner(t, k).Sign([]string{testAudience}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const leeway = 45 * time.Second
	v := newTestVerifier(t, []*SigningKey{k}, WithLeeway(leeway))
	got, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	until := v.ValidUntil(got)
	if want := testNow.Add(DefaultLifetime + leeway); !until.Equal(want) {
		t.Fatalf("ValidUntil %v, want %v", until, want)
	}
	at := func(now time.Time) *Verifier {
		return newTestVerifier(t, []*SigningKey{k}, WithLeeway(leeway), WithClock(func() time.Time { return now }))
	}
	if _, err := at(until.Add(-time.Nanosecond)).Verify(tok); err != nil {
		t.Fatalf("just before ValidUntil: %v", err)
	}
	if _, err := at(until).Verify(tok); err == nil {
		t.Fatal("at ValidUntil: accepted")
	}
}
