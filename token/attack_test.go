package token

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/strict"
)

type attackCase struct {
	name  string
	token func(t *testing.T) string
	want  error
}

// runAttacks checks that each token is refused with the expected sentinel
// by a verifier trusting the EdDSA, ES256, RS256 and ML-DSA-44 test keys.
func runAttacks(t *testing.T, cases []attackCase) {
	t.Helper()
	v := newTestVerifier(t, []*SigningKey{testKey(t, EdDSA), testKey(t, ES256), testKey(t, RS256), testKey(t, MLDSA44)})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := c.token(t)
			got, err := v.Verify(tok)
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if got != nil {
				t.Fatal("non-nil result with an error")
			}
		})
	}
}

// withSegment returns tok with fn applied to its i-th segment.
func withSegment(tok string, i int, fn func(string) string) string {
	parts := strings.Split(tok, ".")
	parts[i] = fn(parts[i])
	return strings.Join(parts, ".")
}

// otherFirstChar replaces the first character of a base64url segment with
// a different one, so the decoded bytes always change.
func otherFirstChar(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// flipSpareBits changes the unused low bits of the last character of an
// unpadded base64url segment: lenient decoders read the same bytes.
func flipSpareBits(s string) string {
	if len(s)%4 == 0 {
		return s + "A" // no spare bits to flip; make it invalid instead
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last^1])
}

func TestAttackAlgNone(t *testing.T) {
	k := testKey(t, EdDSA)
	var cases []attackCase
	for _, none := range []string{"none", "None", "NONE", "nOnE"} {
		cases = append(cases, attackCase{"alg " + none + " with empty signature", func(t *testing.T) string {
			h := `{"alg":"` + none + `","kid":"` + k.kid + `","typ":"` + Type + `"}`
			return strict.Encode([]byte(h)) + "." + strict.Encode([]byte(goodClaims(t, nil))) + "."
		}, ErrSignature})
	}
	cases = append(cases, attackCase{"alg none without kid", func(t *testing.T) string {
		return strict.Encode([]byte(`{"alg":"none","typ":"`+Type+`"}`)) + "." + strict.Encode([]byte(goodClaims(t, nil))) + "."
	}, ErrMalformed})
	runAttacks(t, cases)
}

// TestAttackAlgConfusionHS256 signs HS256 tokens with the public key's
// own bytes as the HMAC secret, under the asymmetric key's kid.
func TestAttackAlgConfusionHS256(t *testing.T) {
	var cases []attackCase
	for _, alg := range []Alg{RS256, ES256} {
		k := testKey(t, alg)
		der, err := x509.MarshalPKIXPublicKey(k.pub.key)
		if err != nil {
			t.Fatal(err)
		}
		jwkJSON, _ := k.Verifying().MarshalJSON()
		secrets := map[string][]byte{
			"PEM": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
			"DER": der,
			"JWK": jwkJSON,
		}
		for form, secret := range secrets {
			cases = append(cases, attackCase{fmt.Sprintf("%s to HS256 with the public key %s as secret", alg, form), func(t *testing.T) string {
				h := `{"alg":"HS256","kid":"` + k.kid + `","typ":"` + Type + `"}`
				si := strict.Encode([]byte(h)) + "." + strict.Encode([]byte(goodClaims(t, nil)))
				sig, err := jwt.SigningMethodHS256.Sign(si, secret)
				if err != nil {
					t.Fatal(err)
				}
				return si + "." + strict.Encode(sig)
			}, ErrSignature})
		}
	}
	runAttacks(t, cases)
}

// TestAttackAlgConfusionPinnedMethod shows the second line of defence: even
// past our header check, the signature is checked with golang-jwt's method
// for the key's own alg, whatever the header says.
func TestAttackAlgConfusionPinnedMethod(t *testing.T) {
	k := testKey(t, RS256)
	v := newTestVerifier(t, []*SigningKey{k})
	tk := v.trust.table.Load().byKID[k.kid]
	der, _ := x509.MarshalPKIXPublicKey(k.pub.key)
	h := `{"alg":"HS256","kid":"` + k.kid + `","typ":"` + Type + `"}`
	si := strict.Encode([]byte(h)) + "." + strict.Encode([]byte(goodClaims(t, nil)))
	sig, _ := jwt.SigningMethodHS256.Sign(si, der)
	_, err := tk.verify(si, strict.Encode(sig), []byte(goodClaims(t, nil)), nil, false)
	if !errors.Is(err, ErrSignature) {
		t.Fatalf("HS256 signature accepted for an RS256 key: %v", err)
	}
}

func TestAttackKidInjection(t *testing.T) {
	k := testKey(t, EdDSA)
	withKid := func(kid string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":`+kid+`,"typ":"`+Type+`"}`, goodClaims(t, nil), k)
		}
	}
	runAttacks(t, []attackCase{
		{"kid path traversal", withKid(`"../../../../../../etc/passwd"`), ErrUnknownKey},
		{"kid path traversal to dev null", withKid(`"/dev/null"`), ErrUnknownKey},
		{"kid SQL injection", withKid(`"x' UNION SELECT 'secret' --"`), ErrUnknownKey},
		{"kid NUL byte", withKid(`"` + k.kid + `\u0000"`), ErrUnknownKey},
		{"kid 10 KB", withKid(`"` + strings.Repeat("A", 10<<10) + `"`), ErrMalformed},
		{"kid number", withKid(`123`), ErrMalformed},
		{"kid object", withKid(`{"kid":"` + k.kid + `"}`), ErrMalformed},
		{"kid array", withKid(`["` + k.kid + `"]`), ErrMalformed},
		{"kid null", withKid(`null`), ErrMalformed},
		{"kid empty", withKid(`""`), ErrMalformed},
		{"kid missing", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","typ":"`+Type+`"}`, goodClaims(t, nil), k)
		}, ErrMalformed},
	})
}

// TestAttackKeyURLHeaders embeds keys or key URLs in the header. The URLs
// point at a local server that counts requests: none may arrive.
func TestAttackKeyURLHeaders(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	trusted := testKey(t, EdDSA)
	attacker := newKey(t, EdDSA)
	attackerJWK, _ := attacker.Verifying().MarshalJSON()
	der, _ := x509.MarshalPKIXPublicKey(attacker.pub.key)
	cert := strict.Encode(der) // not a certificate, and it must not matter
	var cases []attackCase
	for _, signer := range []*SigningKey{trusted, attacker} {
		who := "attacker key"
		if signer == trusted {
			who = "trusted key"
		}
		for name, extra := range map[string]string{
			"jwk": `"jwk":` + string(attackerJWK),
			"jku": `"jku":"` + srv.URL + `/jwks.json"`,
			"x5u": `"x5u":"` + srv.URL + `/cert.pem"`,
			"x5c": `"x5c":["` + cert + `"]`,
		} {
			h := `{"alg":"EdDSA","kid":"` + signer.kid + `","typ":"` + Type + `",` + extra + `}`
			cases = append(cases, attackCase{name + " header, signed by " + who, func(t *testing.T) string {
				return forge(t, h, goodClaims(t, nil), signer)
			}, ErrUnsupported})
		}
	}
	runAttacks(t, cases)
	if n := hits.Load(); n != 0 {
		t.Fatalf("the verifier fetched a key URL from a token header %d times", n)
	}
}

func TestAttackForbiddenHeaders(t *testing.T) {
	k := testKey(t, EdDSA)
	with := func(extra string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+Type+`",`+extra+`}`, goodClaims(t, nil), k)
		}
	}
	runAttacks(t, []attackCase{
		{"crit naming exp", with(`"crit":["exp"],"exp":1`), ErrUnsupported},
		{"crit empty", with(`"crit":[]`), ErrUnsupported},
		{"zip DEF", with(`"zip":"DEF"`), ErrUnsupported},
		{"cty JWT", with(`"cty":"JWT"`), ErrUnsupported},
		{"b64 false", with(`"b64":false`), ErrUnsupported},
		{"unknown header", with(`"x-extra":1`), ErrUnsupported},
		{"ALG case variant beside alg", with(`"ALG":"none"`), ErrUnsupported},
		{"duplicate alg member", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+Type+`","alg":"HS256"}`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"duplicate alg member escaped", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+Type+`","\u0061lg":"EdDSA"}`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"header not an object", func(t *testing.T) string {
			return forge(t, `["alg","EdDSA"]`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"header with trailing data", func(t *testing.T) string {
			return forge(t, hdr(k)+`{}`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"wrong typ JWT", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"JWT"}`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"typ missing", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`"}`, goodClaims(t, nil), k)
		}, ErrMalformed},
		{"typ number", func(t *testing.T) string {
			return forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":1}`, goodClaims(t, nil), k)
		}, ErrMalformed},
	})
}

func TestAttackClaims(t *testing.T) {
	k := testKey(t, EdDSA)
	signed := func(over map[string]any) func(t *testing.T) string {
		return func(t *testing.T) string { return forge(t, hdr(k), goodClaims(t, over), k) }
	}
	raw := func(claims string) func(t *testing.T) string {
		return func(t *testing.T) string { return forge(t, hdr(k), claims, k) }
	}
	now := testNow.Unix()
	runAttacks(t, []attackCase{
		{"exp 0", signed(map[string]any{"exp": 0}), ErrClaims},
		{"exp 0 with iat 0", signed(map[string]any{"exp": 0, "iat": 0}), ErrClaims},
		{"exp negative", signed(map[string]any{"exp": -1}), ErrClaims},
		{"exp string", signed(map[string]any{"exp": fmt.Sprint(now + 300)}), ErrClaims},
		{"exp null", raw(`{"iss":"` + testIssuer + `","aud":"` + testAudience + `","iat":` + fmt.Sprint(now) + `,"exp":null,"jti":"a"}`), ErrClaims},
		{"exp missing", signed(map[string]any{"exp": nil}), ErrClaims},
		{"exp past year 9999", signed(map[string]any{"exp": 1e300}), ErrClaims},
		{"exp passed", signed(map[string]any{"iat": now - 400, "exp": now - 100}), ErrExpired},
		{"exp passed beyond leeway by 1s", signed(map[string]any{"iat": now - 400, "exp": now - 30}), ErrExpired},
		{"exp beside EXP", signed(map[string]any{"EXP": now + 99999}), ErrClaims},
		{"EXP instead of exp", signed(map[string]any{"exp": nil, "EXP": now + 300}), ErrClaims},
		{"Iss beside iss", signed(map[string]any{"Iss": "evil"}), ErrClaims},
		{"duplicate exp member", raw(strings.Replace(goodClaims(t, nil), `"exp":`, `"exp":9999999999,"exp":`, 1)), ErrMalformed},
		{"duplicate member nested in app claim", raw(strings.Replace(goodClaims(t, nil), `{`, `{"app":{"a":1,"a":2},`, 1)), ErrMalformed},
		{"claims not an object", raw(`[1,2]`), ErrMalformed},
		{"iat missing", signed(map[string]any{"iat": nil}), ErrClaims},
		{"iat string", signed(map[string]any{"iat": "now"}), ErrClaims},
		{"iat in the future", signed(map[string]any{"iat": now + 120, "exp": now + 400}), ErrNotYetValid},
		{"nbf in the future", signed(map[string]any{"nbf": now + 120}), ErrNotYetValid},
		{"nbf string", signed(map[string]any{"nbf": "later"}), ErrClaims},
		{"lifetime over the maximum", signed(map[string]any{"exp": now + 7200}), ErrClaims},
		{"exp before iat", signed(map[string]any{"iat": now, "exp": now - 1}), ErrClaims},
		{"aud missing", signed(map[string]any{"aud": nil}), ErrAudience},
		{"aud another", signed(map[string]any{"aud": "https://other.example"}), ErrAudience},
		{"aud another in a list", signed(map[string]any{"aud": []string{"a", "b"}}), ErrAudience},
		{"aud empty string", signed(map[string]any{"aud": ""}), ErrAudience},
		{"aud empty list", signed(map[string]any{"aud": []string{}}), ErrAudience},
		{"aud number", signed(map[string]any{"aud": 42}), ErrClaims},
		{"aud list with number", signed(map[string]any{"aud": []any{testAudience, 1}}), ErrClaims},
		{"aud case variant of ours", signed(map[string]any{"aud": strings.ToUpper(testAudience)}), ErrAudience},
		{"iss missing", signed(map[string]any{"iss": nil}), ErrIssuer},
		{"iss number", signed(map[string]any{"iss": 1}), ErrClaims},
		{"iss not the key's issuer", signed(map[string]any{"iss": "https://other-sender.example"}), ErrIssuer},
		{"jti missing", signed(map[string]any{"jti": nil}), ErrClaims},
		{"jti empty", signed(map[string]any{"jti": ""}), ErrClaims},
		{"jti number", signed(map[string]any{"jti": 7}), ErrClaims},
		{"sub number", signed(map[string]any{"sub": 7}), ErrClaims},
	})
}

// TestAttackIssuerOfAnotherKey: two issuers are trusted, each with its own
// key; a token claiming one issuer but signed by the other's key fails.
func TestAttackIssuerOfAnotherKey(t *testing.T) {
	a, b := testKey(t, EdDSA), newKey(t, EdDSA)
	v := newTestVerifier(t, []*SigningKey{a})
	bs, _ := NewVerifyingKeySet(b.Verifying())
	if err := v.Trust("https://b.example", bs); err != nil {
		t.Fatal(err)
	}
	tok := forge(t, hdr(b), goodClaims(t, nil), b) // iss is testIssuer, a's issuer
	if _, err := v.Verify(tok); !errors.Is(err, ErrIssuer) {
		t.Fatalf("got %v, want ErrIssuer", err)
	}
	if err := v.Trust("https://b.example", mustVerifyingSet(t, a)); !errors.Is(err, ErrConfig) {
		t.Fatalf("a kid registered to two issuers: %v", err)
	}
	tok = forge(t, hdr(b), goodClaims(t, map[string]any{"iss": "https://b.example"}), b)
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("the right issuer failed: %v", err)
	}
}

func mustVerifyingSet(t *testing.T, k *SigningKey) *VerifyingKeySet {
	t.Helper()
	s, err := NewVerifyingKeySet(k.Verifying())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAttackNonCanonicalBase64(t *testing.T) {
	k := testKey(t, EdDSA)
	good := func(t *testing.T) string { return forge(t, hdr(k), goodClaims(t, nil), k) }
	var cases []attackCase
	for i, name := range []string{"header", "payload", "signature"} {
		cases = append(cases,
			attackCase{name + " spare bits flipped", func(t *testing.T) string { return withSegment(good(t), i, flipSpareBits) }, ErrMalformed},
			attackCase{name + " padded", func(t *testing.T) string {
				return withSegment(good(t), i, func(s string) string { return s + "==" })
			}, ErrMalformed},
			attackCase{name + " with newline", func(t *testing.T) string {
				return withSegment(good(t), i, func(s string) string { return s[:4] + "\n" + s[4:] })
			}, ErrMalformed},
			attackCase{name + " in standard alphabet", func(t *testing.T) string {
				return withSegment(good(t), i, func(s string) string { return s[:4] + "+/" + s[4:] })
			}, ErrMalformed},
		)
	}
	runAttacks(t, cases)
}

func TestAttackSegments(t *testing.T) {
	k := testKey(t, EdDSA)
	good := func(t *testing.T) string { return forge(t, hdr(k), goodClaims(t, nil), k) }
	runAttacks(t, []attackCase{
		{"empty token", func(*testing.T) string { return "" }, ErrMalformed},
		{"two segments", func(t *testing.T) string { return good(t)[:strings.LastIndexByte(good(t), '.')] }, ErrMalformed},
		{"four segments", func(t *testing.T) string { return good(t) + ".AAAA" }, ErrMalformed},
		{"JWE-like five segments", func(t *testing.T) string { return "a.b.c.d.e" }, ErrMalformed},
		{"unknown kid", func(t *testing.T) string {
			other := newKey(t, EdDSA)
			return forge(t, hdr(other), goodClaims(t, nil), other)
		}, ErrUnknownKey},
		{"signature one byte short", func(t *testing.T) string {
			return withSegment(good(t), 2, func(s string) string { b, _ := strict.Base64(s); return strict.Encode(b[:len(b)-1]) })
		}, ErrSignature},
		{"signature empty", func(t *testing.T) string { g := good(t); return g[:strings.LastIndexByte(g, '.')+1] }, ErrSignature},
		{"payload swapped", func(t *testing.T) string {
			return withSegment(good(t), 1, func(string) string {
				return strict.Encode([]byte(goodClaims(t, map[string]any{"sub": "admin"})))
			})
		}, ErrSignature},
		{"expired and badly signed reports the signature", func(t *testing.T) string {
			tok := forge(t, hdr(k), goodClaims(t, map[string]any{"iat": testNow.Unix() - 4000, "exp": testNow.Unix() - 3000}), k)
			return withSegment(tok, 2, otherFirstChar)
		}, ErrSignature},
	})
}

func TestAttackECDSAZeroSignature(t *testing.T) {
	var cases []attackCase
	for _, alg := range []Alg{ES256} {
		k := testKey(t, alg)
		cases = append(cases, attackCase{string(alg) + " signature of zeros", func(t *testing.T) string {
			si := strict.Encode([]byte(hdr(k))) + "." + strict.Encode([]byte(goodClaims(t, nil)))
			return si + "." + strict.Encode(make([]byte, 64))
		}, ErrSignature},
			attackCase{string(alg) + " r = s = n", func(t *testing.T) string {
				order := ecOrder(alg)
				si := strict.Encode([]byte(hdr(k))) + "." + strict.Encode([]byte(goodClaims(t, nil)))
				return si + "." + strict.Encode(append(order, order...))
			}, ErrSignature})
	}
	runAttacks(t, cases)
}

func ecOrder(alg Alg) []byte {
	return curveOf(alg).Params().N.FillBytes(make([]byte, (curveOf(alg).Params().BitSize+7)/8))
}

func TestAttackMLDSASignatureByAnotherKey(t *testing.T) {
	for _, alg := range []Alg{MLDSA44, MLDSA65, MLDSA87} {
		t.Run(string(alg)+" signature by another key", func(t *testing.T) {
			victim, attacker := testKey(t, alg), newKey(t, alg)
			v := newTestVerifier(t, []*SigningKey{victim})
			tok := forge(t, hdr(victim), goodClaims(t, nil), attacker)
			if _, err := v.Verify(tok); !errors.Is(err, ErrSignature) {
				t.Fatalf("got %v, want ErrSignature", err)
			}
			// And a signature of another parameter set's size.
			other := testKey(t, MLDSA87)
			if alg == MLDSA87 {
				other = testKey(t, MLDSA44)
			}
			tok = withSegment(tok, 2, func(string) string {
				sig, _ := other.pub.method.Sign("x", other.key)
				return strict.Encode(sig)
			})
			if _, err := v.Verify(tok); !errors.Is(err, ErrSignature) {
				t.Fatalf("wrong-size signature: got %v", err)
			}
		})
	}
}

func TestAttackShortHMACKeyRefused(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		t.Run(fmt.Sprintf("HS256 key of %d bytes", n), func(t *testing.T) {
			if _, err := NewHMACKey(make([]byte, n)); !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("NewHMACKey: %v", err)
			}
			jwkJSON := `{"kty":"oct","alg":"HS256","k":"` + strict.Encode(make([]byte, n)) + `"}`
			if _, err := ParseSigningJWK([]byte(jwkJSON)); !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ParseSigningJWK: %v", err)
			}
			if _, err := ParseVerifyingJWK([]byte(jwkJSON)); !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("ParseVerifyingJWK: %v", err)
			}
		})
	}
	if _, err := NewHMACKey(make([]byte, 32)); err != nil {
		t.Fatalf("32 bytes refused: %v", err)
	}
}

// TestAttackMegabyteOfDots: 1 MiB of dots is refused by the size cap with
// a couple of small allocations, and with the cap lifted, by the segment
// count, still without allocating anything sized by the input.
func TestAttackMegabyteOfDots(t *testing.T) {
	dots := strings.Repeat(".", 1<<20)
	k := testKey(t, EdDSA)
	for _, c := range []struct {
		name string
		v    *Verifier
		want error
	}{
		{"default size cap", newTestVerifier(t, []*SigningKey{k}), ErrTooLarge},
		{"size cap lifted", newTestVerifier(t, []*SigningKey{k}, WithMaxSize(4<<20)), ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.v.Verify(dots); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			allocs := testing.AllocsPerRun(20, func() { _, _ = c.v.Verify(dots) })
			if allocs > 8 {
				t.Fatalf("%v allocations per call, want at most 8", allocs)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range 100 {
				_, _ = c.v.Verify(dots)
			}
			runtime.ReadMemStats(&after)
			if perCall := (after.TotalAlloc - before.TotalAlloc) / 100; perCall > 1024 {
				t.Fatalf("%d bytes allocated per call, want at most 1 KiB", perCall)
			}
		})
	}
}

func TestTrustErrors(t *testing.T) {
	v := newTestVerifier(t, nil)
	k := testKey(t, EdDSA)
	if err := v.Trust("", mustVerifyingSet(t, k)); !errors.Is(err, ErrConfig) {
		t.Fatal(err)
	}
	if err := v.Trust(testIssuer, nil); !errors.Is(err, ErrConfig) {
		t.Fatal(err)
	}
	for _, opt := range []VerifierOption{WithLeeway(6 * 60e9), WithLeeway(-1), WithMaxLifetime(0), WithMaxSize(1), WithType("")} {
		if _, err := NewVerifier(testAudience, opt); !errors.Is(err, ErrConfig) {
			t.Fatalf("bad option accepted: %v", err)
		}
	}
	if _, err := NewVerifier(""); !errors.Is(err, ErrConfig) {
		t.Fatal("empty audience accepted")
	}
}

func TestSignerConfigErrors(t *testing.T) {
	ks := mustKeySet(t, testKey(t, EdDSA))
	for name, c := range map[string]struct {
		issuer string
		opt    SignerOption
	}{
		"empty issuer":        {"", WithLifetime(time.Minute)},
		"zero lifetime":       {testIssuer, WithLifetime(0)},
		"sub-second lifetime": {testIssuer, WithLifetime(time.Millisecond)},
		"lifetime over 24h":   {testIssuer, WithLifetime(25 * time.Hour)},
		"typ with a quote":    {testIssuer, WithType(`a"b`)},
		"empty typ":           {testIssuer, WithType("")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewSigner(ks, c.issuer, c.opt); !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, want ErrConfig", err)
			}
		})
	}
	if _, err := NewSigner(nil, testIssuer); !errors.Is(err, ErrConfig) {
		t.Fatal("nil key set accepted")
	}
	for _, alg := range []Alg{"none", "HS512", "RS512", "eddsa"} {
		if _, err := GenerateKey(alg); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("GenerateKey(%q): %v", alg, err)
		}
	}
}
