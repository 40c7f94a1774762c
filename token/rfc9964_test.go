package token

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// rfc9964Payload is the payload of every RFC 9964 JOSE example: not JSON,
// so no JWT parser accepts it.
const rfc9964Payload = "It\u2019s a dangerous business, Frodo, going out your door."

type rfc9964Example struct {
	JWK json.RawMessage `json:"jwk"`
	JWS string          `json:"jws"`
}

func loadRFC9964(t *testing.T, alg Alg) rfc9964Example {
	t.Helper()
	name := "rfc9964-" + strings.ToLower(string(alg)) + ".json"
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatalf("test vectors: %v", err)
	}
	var ex rfc9964Example
	if err := json.Unmarshal(data, &ex); err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestRFC9964Examples checks RFC 9964's JOSE examples: the private JWK's
// all-zero seed expands to its "pub", the kid is the RFC 7638 thumbprint
// of the AKP key, and the example JWS (no typ, a payload that is not JSON)
// verifies through VerifyJWS and through the registered golang-jwt method.
func TestRFC9964Examples(t *testing.T) {
	for _, alg := range []Alg{MLDSA44, MLDSA65, MLDSA87} {
		t.Run(string(alg), func(t *testing.T) {
			ex := loadRFC9964(t, alg)
			priv, err := ParseSigningJWK(ex.JWK)
			if err != nil {
				t.Fatalf("the seed does not expand to the example's pub: %v", err)
			}
			var m map[string]any
			_ = json.Unmarshal(ex.JWK, &m)
			rfcKID := m["kid"].(string)
			delete(m, "priv")
			delete(m, "kid")
			noKID, _ := json.Marshal(m)
			pub, err := ParseVerifyingJWK(noKID)
			if err != nil || pub.KID() != rfcKID || priv.KID() != rfcKID {
				t.Fatalf("thumbprint %s, want the example's kid %s (%v)", pub.KID(), rfcKID, err)
			}
			keys, _ := NewVerifyingKeySet(pub)
			got, err := VerifyJWS(ex.JWS, keys)
			if err != nil {
				t.Fatalf("VerifyJWS: %v", err)
			}
			if string(got.Payload) != rfc9964Payload || got.Alg != alg || got.KID != rfcKID || got.Typ != "" {
				t.Fatalf("got %+v", got)
			}
			parts := strings.Split(ex.JWS, ".")
			sig, _ := strict.Base64(parts[2])
			if err := jwt.GetSigningMethod(string(alg)).Verify(parts[0]+"."+parts[1], sig, pub); err != nil {
				t.Fatalf("golang-jwt method with the VerifyingKey: %v", err)
			}
			parts[1] = strict.Encode([]byte(strings.Replace(rfc9964Payload, "Frodo", "Sam", 1)))
			if _, err := VerifyJWS(strings.Join(parts, "."), keys); !errors.Is(err, ErrSignature) {
				t.Fatalf("changed payload: %v", err)
			}
			v := newTestVerifier(t, nil)
			if _, err := v.Verify(ex.JWS); err == nil {
				t.Fatal("Verify accepted a JWS that is not a token")
			}
		})
	}
}

// TestVerifyJWSStrictParsing refuses what Verify refuses in the header,
// and a key the header does not name.
func TestVerifyJWSStrictParsing(t *testing.T) {
	k := testKey(t, EdDSA)
	keys, _ := NewVerifyingKeySet(k.Verifying())
	kid := `"kid":"` + k.kid + `"`
	good := forge(t, `{"alg":"EdDSA",`+kid+`,"typ":"example+jws","cty":"text/plain"}`, "any bytes", k)
	got, err := VerifyJWS(good, keys)
	if err != nil || got.Typ != "example+jws" || got.Cty != "text/plain" || string(got.Payload) != "any bytes" {
		t.Fatalf("good JWS: %+v, %v", got, err)
	}
	for header, want := range map[string]error{
		`{"alg":"EdDSA",` + kid + `,"crit":["b64"],"b64":false}`:   ErrUnsupported,
		`{"alg":"EdDSA",` + kid + `,"jku":"https://evil.example"}`: ErrUnsupported,
		`{"alg":"EdDSA"}`: ErrMalformed,
		`{` + kid + `}`:   ErrMalformed,
		`{"alg":"EdDSA",` + kid + `,"alg":"EdDSA"}`: ErrMalformed,
		`{"alg":"ES256",` + kid + `}`:               ErrSignature,
		`{"alg":"none",` + kid + `}`:                ErrSignature,
		`{"alg":"EdDSA","kid":"someone else"}`:      ErrUnknownKey,
		`{"alg":"EdDSA",` + kid + `,"typ":7}`:       ErrMalformed,
	} {
		if _, err := VerifyJWS(forge(t, header, "x", k), keys); !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", header, err, want)
		}
	}
	for name, jws := range map[string]string{
		"two segments":      good[:strings.LastIndexByte(good, '.')],
		"padded signature":  good + "=",
		"over the max size": good + strings.Repeat("A", defaultMaxSize),
	} {
		if _, err := VerifyJWS(jws, keys); err == nil || !wrapsSentinel(err) {
			t.Errorf("%s: accepted or unclassified: %v", name, err)
		}
	}
}

// TestMLDSAForGolangJWTUsers signs and parses through golang-jwt's own API
// with circl's key types and with this package's, as a golang-jwt user
// would, and refuses keys of another parameter set without panicking.
func TestMLDSAForGolangJWTUsers(t *testing.T) {
	pk, sk, err := mldsa65.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "alice", "exp": jwt.NewNumericDate(testNow.Add(5 * 60e9)).Unix()}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"ML-DSA-65"}), jwt.WithTimeFunc(fixedClock))
	signed, err := jwt.NewWithClaims(jwt.GetSigningMethod("ML-DSA-65"), claims).SignedString(sk)
	if err != nil {
		t.Fatalf("SignedString with a circl key: %v", err)
	}
	tok, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return pk, nil })
	if err != nil || !tok.Valid {
		t.Fatalf("Parse with a circl key: %v", err)
	}
	ours := testKey(t, MLDSA65)
	signed, err = jwt.NewWithClaims(jwt.GetSigningMethod("ML-DSA-65"), claims).SignedString(ours)
	if err != nil {
		t.Fatalf("SignedString with a SigningKey: %v", err)
	}
	if _, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return ours.Verifying(), nil }); err != nil {
		t.Fatalf("Parse with a VerifyingKey: %v", err)
	}
	if _, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return pk, nil }); !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		t.Fatalf("another key of the same set: %v", err)
	}
	pk44, sk44, _ := mldsa44.GenerateKey(nil)
	var nilPub *mldsa65.PublicKey
	for name, key := range map[string]any{"ML-DSA-44 key": pk44, "typed nil": nilPub, "EdDSA key": testKey(t, EdDSA).Verifying()} {
		if _, err := parser.Parse(signed, func(*jwt.Token) (any, error) { return key, nil }); !errors.Is(err, jwt.ErrInvalidKeyType) {
			t.Errorf("%s: got %v, want ErrInvalidKeyType", name, err)
		}
	}
	if _, err := jwt.NewWithClaims(jwt.GetSigningMethod("ML-DSA-65"), claims).SignedString(sk44); !errors.Is(err, jwt.ErrInvalidKeyType) {
		t.Fatalf("signing with an ML-DSA-44 key: %v", err)
	}
}
