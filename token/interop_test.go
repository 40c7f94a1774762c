package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	"github.com/lestrrat-go/jwx/v3/jwa"
	jwxjwk "github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// interopAlgs are the algorithms checked against go-jose v4 and jwx v3.
var interopAlgs = []struct {
	alg  Alg
	jose jose.SignatureAlgorithm
	jwx  jwa.SignatureAlgorithm
}{
	{EdDSA, jose.EdDSA, jwa.EdDSA()},
	{ES256, jose.ES256, jwa.ES256()},
}

// rawPublic returns the crypto public key of k.
func rawPublic(k *SigningKey) crypto.PublicKey { return k.pub.key }

func rawPrivate(t *testing.T, k *SigningKey) crypto.Signer {
	t.Helper()
	switch p := k.key.(type) {
	case ed25519.PrivateKey:
		return p
	case *ecdsa.PrivateKey:
		return p
	}
	t.Fatalf("no raw private key for %s", k.alg)
	return nil
}

func TestInteropOurTokensVerifyWithGoJose(t *testing.T) {
	for _, a := range interopAlgs {
		t.Run("alg="+string(a.alg), func(t *testing.T) {
			k := testKey(t, a.alg)
			tok, err := newTestSigner(t, k).Sign(testAudience, map[string]any{"sub": "alice", "scope": "read"})
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := josejwt.ParseSigned(tok, []jose.SignatureAlgorithm{a.jose})
			if err != nil {
				t.Fatal(err)
			}
			if h := parsed.Headers[0]; h.KeyID != k.KID() || h.ExtraHeaders["typ"] != Type {
				t.Fatalf("header %+v", h)
			}
			var c josejwt.Claims
			var app map[string]any
			if err := parsed.Claims(rawPublic(k), &c, &app); err != nil {
				t.Fatal(err)
			}
			err = c.ValidateWithLeeway(josejwt.Expected{Issuer: testIssuer, AnyAudience: josejwt.Audience{testAudience}, Time: testNow}, 0)
			if err != nil || c.Subject != "alice" || app["scope"] != "read" || c.ID == "" {
				t.Fatalf("go-jose: %v %+v %v", err, c, app)
			}
		})
	}
}

func TestInteropOurTokensVerifyWithJWX(t *testing.T) {
	for _, a := range interopAlgs {
		t.Run("alg="+string(a.alg), func(t *testing.T) {
			k := testKey(t, a.alg)
			tok, err := newTestSigner(t, k).Sign(testAudience, map[string]any{"sub": "alice"})
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jwxjwt.ParseString(tok, jwxjwt.WithKey(a.jwx, rawPublic(k)),
				jwxjwt.WithClock(jwxjwt.ClockFunc(fixedClock)), jwxjwt.WithIssuer(testIssuer), jwxjwt.WithAudience(testAudience))
			if err != nil {
				t.Fatal(err)
			}
			if sub, _ := parsed.Subject(); sub != "alice" {
				t.Fatalf("jwx read sub %q", sub)
			}
		})
	}
}

// theirClaims are the claims a peer must send us.
func theirClaims() map[string]any {
	return map[string]any{"iss": testIssuer, "aud": []string{testAudience}, "iat": testNow.Unix(),
		"exp": testNow.Add(5 * time.Minute).Unix(), "jti": "peer-token-1", "sub": "bob"}
}

func TestInteropGoJoseTokensVerifyWithUs(t *testing.T) {
	for _, a := range interopAlgs {
		t.Run("alg="+string(a.alg), func(t *testing.T) {
			k := testKey(t, a.alg)
			sig, err := jose.NewSigner(jose.SigningKey{Algorithm: a.jose, Key: jose.JSONWebKey{Key: rawPrivate(t, k), KeyID: k.KID()}},
				(&jose.SignerOptions{}).WithType(Type))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := josejwt.Signed(sig).Claims(theirClaims()).Serialize()
			if err != nil {
				t.Fatal(err)
			}
			got, err := newTestVerifier(t, []*SigningKey{k}).Verify(tok)
			if err != nil {
				t.Fatalf("go-jose token refused: %v (header %s)", err, decodedHeader(tok))
			}
			if got.Subject != "bob" || got.ID != "peer-token-1" {
				t.Fatalf("%+v", got)
			}
		})
	}
}

func TestInteropJWXTokensVerifyWithUs(t *testing.T) {
	for _, a := range interopAlgs {
		t.Run("alg="+string(a.alg), func(t *testing.T) {
			k := testKey(t, a.alg)
			tok := jwxjwt.New()
			for name, v := range theirClaims() {
				if name == "iat" || name == "exp" {
					v = time.Unix(v.(int64), 0)
				}
				if err := tok.Set(name, v); err != nil {
					t.Fatal(err)
				}
			}
			h := jws.NewHeaders()
			if err := h.Set(jws.KeyIDKey, k.KID()); err != nil {
				t.Fatal(err)
			}
			if err := h.Set(jws.TypeKey, Type); err != nil {
				t.Fatal(err)
			}
			signed, err := jwxjwt.Sign(tok, jwxjwt.WithKey(a.jwx, rawPrivate(t, k), jws.WithProtectedHeaders(h)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := newTestVerifier(t, []*SigningKey{k}).Verify(string(signed))
			if err != nil {
				t.Fatalf("jwx token refused: %v (header %s)", err, decodedHeader(string(signed)))
			}
			if got.Subject != "bob" {
				t.Fatalf("%+v", got)
			}
		})
	}
}

func decodedHeader(tok string) string {
	b, _ := strict.Base64(strings.SplitN(tok, ".", 2)[0])
	return string(b)
}

// TestInteropJWKThumbprintWithJWX: the JWKs we emit, public and private,
// parse in jwx, which computes the same RFC 7638 thumbprint as our kid.
func TestInteropJWKThumbprintWithJWX(t *testing.T) {
	for _, alg := range []Alg{EdDSA, ES256, ES384, RS256, PS256, HS256} {
		t.Run("alg="+string(alg), func(t *testing.T) {
			k := testKey(t, alg)
			priv, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			docs := [][]byte{priv}
			if alg != HS256 {
				pub, err := k.Verifying().MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, pub)
			}
			for _, doc := range docs {
				key, err := jwxjwk.ParseKey(doc)
				if err != nil {
					t.Fatalf("jwx: %v\n%s", err, doc)
				}
				tp, err := key.Thumbprint(crypto.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				if got := strict.Encode(tp); got != k.KID() {
					t.Fatalf("jwx thumbprint %s, our kid %s", got, k.KID())
				}
				kid, _ := key.KeyID()
				if kid != k.KID() {
					t.Fatalf("jwx read kid %q", kid)
				}
			}
		})
	}
}

// TestRFC7638Example checks the thumbprint against RFC 7638 section 3.1.
func TestRFC7638Example(t *testing.T) {
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	doc := `{"kty":"RSA","alg":"RS256","n":"` + n + `","e":"AQAB"}`
	k, err := ParseVerifyingJWK([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if k.KID() != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("thumbprint %s", k.KID())
	}
	var m map[string]any
	out, _ := k.MarshalJSON()
	if err := json.Unmarshal(out, &m); err != nil || m["kid"] != k.KID() || m["use"] != "sig" {
		t.Fatalf("%s", out)
	}
}
