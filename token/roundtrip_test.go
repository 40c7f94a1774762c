package token

import (
	"bytes"
	"context"
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
			tok, err := s.Sign(testAudience, appClaims{Subject: "alice", Scope: "read", N: 7})
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
				if _, err := k.Verifying().MarshalJSON(); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("HS256 public JWK must be refused, got %v", err)
				}
				if _, err := ParseVerifyingJWK(priv); !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("a shared secret read as a public key: %v", err)
				}
				pub = k.Verifying()
			} else {
				pubJSON, err := k.Verifying().MarshalJSON()
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
			tok, err := newTestSigner(t, k2).Sign(testAudience, nil)
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
	oldTok, err := newTestSigner(t, oldKey).Sign(testAudience, nil)
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
	pubJWKS, err := ks2.Verifying().MarshalJSON()
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
	s, err := NewSigner(ks2, testIssuer, WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	newTok, err := s.Sign(testAudience, nil)
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
	s := newTestSigner(t, k, WithLifetime(time.Hour), WithType("JWT"))
	tok, err := s.Sign(testAudience, map[string]any{"nbf": testNow.Unix(), "sub": "bob"})
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
	if got.ExpiresAt.Sub(got.IssuedAt) != time.Hour || !got.NotBefore.Equal(testNow) || got.Subject != "bob" || len(got.Audience) != 1 {
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
		aud    string
		claims any
		want   error
	}{
		{"app sets iss", testAudience, map[string]any{"iss": "x"}, ErrClaims},
		{"app sets exp", testAudience, map[string]any{"exp": 1}, ErrClaims},
		{"app sets jti", testAudience, map[string]any{"jti": "x"}, ErrClaims},
		{"app sets aud", testAudience, map[string]any{"aud": "x"}, ErrClaims},
		{"app sets iat", testAudience, map[string]any{"iat": 1}, ErrClaims},
		{"app sets EXP case variant", testAudience, map[string]any{"EXP": 1}, ErrClaims},
		{"app sub not a string", testAudience, map[string]any{"sub": 5}, ErrClaims},
		{"app nbf a string", testAudience, map[string]any{"nbf": "soon"}, ErrClaims},
		{"invalid UTF-8 keys that encode to the same name", testAudience, map[string]any{"\xff": 1, "\xfe": 2}, ErrClaims},
		{"raw value with a duplicate member", testAudience, map[string]any{"x": json.RawMessage(`{"a":1,"a":2}`)}, ErrClaims},
		{"claims not an object", testAudience, []string{"a"}, ErrClaims},
		{"no audience", "", nil, ErrAudience},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Sign(c.aud, c.claims); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// recordingStore is an IDStore that remembers what it was asked.
type recordingStore struct {
	seen    map[string]time.Time
	refuse  error
	checked int
}

// errSeen is what recordingStore reports for a pair it saw before.
var errSeen = errors.New("seen before")

func (r *recordingStore) Check(_ context.Context, issuer, id string, expires time.Time) error {
	r.checked++
	if r.refuse != nil {
		return r.refuse
	}
	if _, ok := r.seen[issuer+" "+id]; ok {
		return errSeen
	}
	r.seen[issuer+" "+id] = expires
	return nil
}

// A token is accepted until exp plus the leeway, so VerifyOnce remembers
// its jti exactly that long: until the moment Verify stops accepting it.
// A second use is refused, a token refused by the check does not use up
// its id, and a store that cannot answer refuses the token.
func TestVerifyOnceRemembersUntilVerifyStopsAccepting(t *testing.T) {
	k := testKey(t, EdDSA)
	tok, err := newTestSigner(t, k).Sign(testAudience, nil)
	if err != nil {
		t.Fatal(err)
	}
	const leeway = 45 * time.Second
	v := newTestVerifier(t, []*SigningKey{k}, WithLeeway(leeway))
	store := &recordingStore{seen: map[string]time.Time{}}
	errCheck := errors.New("not for this request")
	if _, err := v.VerifyOnce(t.Context(), tok, store, func(*Verified) error { return errCheck }); !errors.Is(err, errCheck) || store.checked != 0 {
		t.Fatalf("refused by check: %v, store asked %d times", err, store.checked)
	}
	got, err := v.VerifyOnce(t.Context(), tok, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	until := store.seen[testIssuer+" "+got.ID]
	if want := testNow.Add(DefaultLifetime + leeway); !until.Equal(want) {
		t.Fatalf("remembered until %v, want %v", until, want)
	}
	if _, err := v.VerifyOnce(t.Context(), tok, store, nil); !errors.Is(err, errSeen) {
		t.Fatalf("second use: %v", err)
	}
	at := func(now time.Time) *Verifier {
		return newTestVerifier(t, []*SigningKey{k}, WithLeeway(leeway), WithClock(func() time.Time { return now }))
	}
	if _, err := at(until.Add(-time.Nanosecond)).Verify(tok); err != nil {
		t.Fatalf("just before the id is forgotten: %v", err)
	}
	if _, err := at(until).Verify(tok); err == nil {
		t.Fatal("accepted once the id is forgotten")
	}
	down := &recordingStore{refuse: errors.New("store down")}
	if _, err := v.VerifyOnce(t.Context(), tok, down, nil); err == nil {
		t.Fatal("accepted while the store could not answer")
	}
	if _, err := v.VerifyOnce(t.Context(), tok, nil, nil); !errors.Is(err, ErrConfig) {
		t.Fatalf("no store: %v", err)
	}
}

// A token without a jti cannot be used once: VerifyOnce refuses it.
func TestVerifyOnceNeedsAnID(t *testing.T) {
	k := newKey(t, HS256)
	v := newTestVerifier(t, []*SigningKey{k}, WithTutorialCompat())
	tok := forge(t, `{"alg":"HS256","typ":"JWT"}`, goodClaims(t, map[string]any{"jti": nil}), k)
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("tutorial token: %v", err)
	}
	if _, err := v.VerifyOnce(t.Context(), tok, &recordingStore{seen: map[string]time.Time{}}, nil); !errors.Is(err, ErrClaims) {
		t.Fatalf("no jti: %v", err)
	}
}

// A token of one kind never passes for another kind from the same sender:
// ForType's verifier refuses the original typ and the original refuses
// ForType's, even along the exact-header fast path, whichever of the two
// verifiers the key was trusted through.
func TestForTypeSeparatesKindsOfToken(t *testing.T) {
	k := testKey(t, EdDSA)
	s := newTestSigner(t, k)
	other, err := s.ForType("other+jwt")
	if err != nil {
		t.Fatal(err)
	}
	for _, trustThroughCopy := range []bool{false, true} {
		v, err := NewVerifier(testAudience, WithClock(fixedClock))
		if err != nil {
			t.Fatal(err)
		}
		ov, err := v.ForType("other+jwt")
		if err != nil {
			t.Fatal(err)
		}
		vs, _ := NewVerifyingKeySet(k.Verifying())
		if trustThroughCopy {
			err = ov.Trust(testIssuer, vs)
		} else {
			err = v.Trust(testIssuer, vs)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			signer *Signer
			v      *Verifier
			ok     bool
		}{{s, v, true}, {other, ov, true}, {s, ov, false}, {other, v, false}} {
			tok, err := c.signer.Sign(testAudience, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.v.Verify(tok)
			if c.ok && err != nil || !c.ok && !errors.Is(err, ErrMalformed) {
				t.Fatalf("typ %s to verifier of %s (trusted through the copy: %v): %v", c.signer.typ, c.v.typ, trustThroughCopy, err)
			}
		}
	}
	if _, err := s.ForType(""); !errors.Is(err, ErrConfig) {
		t.Fatalf("empty typ: %v", err)
	}
	if _, err := newTestVerifier(t, nil).ForType(`a"b`); !errors.Is(err, ErrConfig) {
		t.Fatalf("typ with a quote: %v", err)
	}
}

// A tutorial-compatible verifier accepts untyped tokens, so it cannot
// derive a verifier of one type.
func TestForTypeRefusesTutorialCompat(t *testing.T) {
	v := newTestVerifier(t, nil, WithTutorialCompat())
	if _, err := v.ForType("other+jwt"); !errors.Is(err, ErrConfig) {
		t.Fatalf("ForType of a tutorial verifier: %v, want ErrConfig", err)
	}
}
