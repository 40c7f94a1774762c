package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// benchAlgs are the algorithms benchmarked against their raw primitive.
var benchAlgs = []Alg{EdDSA, ES256, MLDSA44}

// benchClaims are the application claims of every benchmarked token.
var benchClaims = map[string]any{"sub": "alice"}

// benchToken returns a signer, a verifier and one token for alg.
func benchToken(b *testing.B, alg Alg) (*Signer, *Verifier, string) {
	k := testKey(b, alg)
	s := newTestSigner(b, k)
	v := newTestVerifier(b, []*SigningKey{k})
	tok, err := s.Sign(testAudience, benchClaims)
	if err != nil {
		b.Fatal(err)
	}
	return s, v, tok
}

func BenchmarkSign(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			s, _, _ := benchToken(b, alg)
			aud := testAudience
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Sign(aud, benchClaims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			_, v, tok := benchToken(b, alg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// signingInput returns the signing input and decoded signature of tok.
func signingInput(b *testing.B, tok string) ([]byte, []byte) {
	i := strings.LastIndexByte(tok, '.')
	sig, err := strict.Base64(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	return []byte(tok[:i]), sig
}

// BenchmarkFloorSign signs the same signing input with the primitive
// alone: the cost no JWT library can avoid.
func BenchmarkFloorSign(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			_, _, tok := benchToken(b, alg)
			msg, _ := signingInput(b, tok)
			key := testKey(b, alg).key
			b.ReportAllocs()
			switch alg {
			case EdDSA:
				priv := key.(ed25519.PrivateKey)
				for b.Loop() {
					_ = ed25519.Sign(priv, msg)
				}
			case ES256:
				priv := key.(*ecdsa.PrivateKey)
				for b.Loop() {
					h := sha256.Sum256(msg)
					if _, _, err := ecdsa.Sign(rand.Reader, priv, h[:]); err != nil {
						b.Fatal(err)
					}
				}
			case MLDSA44:
				priv := key.(*mldsaPrivate).sk.(*mldsa44.PrivateKey)
				sig := make([]byte, mldsa44.SignatureSize)
				for b.Loop() {
					if err := mldsa44.SignTo(priv, msg, nil, true, sig); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkFloorVerify verifies the same signature over the same signing
// input with the primitive alone.
func BenchmarkFloorVerify(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			_, _, tok := benchToken(b, alg)
			msg, sig := signingInput(b, tok)
			pub := testKey(b, alg).pub.key
			b.ReportAllocs()
			switch alg {
			case EdDSA:
				for b.Loop() {
					if !ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) {
						b.Fatal("bad signature")
					}
				}
			case ES256:
				r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
				for b.Loop() {
					h := sha256.Sum256(msg)
					if !ecdsa.Verify(pub.(*ecdsa.PublicKey), h[:], r, s) {
						b.Fatal("bad signature")
					}
				}
			case MLDSA44:
				pk := pub.(*mldsaPublic).pk.(*mldsa44.PublicKey)
				for b.Loop() {
					if !mldsa44.Verify(pk, msg, nil, sig) {
						b.Fatal("bad signature")
					}
				}
			}
		})
	}
}
