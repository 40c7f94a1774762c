package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/golang-jwt/jwt/v5"
)

// remoteSigner hides its key's type from golang-jwt and from this package,
// as a KMS client does, and can return a signature of its choosing.
type remoteSigner struct {
	key crypto.Signer
	sig []byte // when set, returned instead of a real signature
}

func (r remoteSigner) Public() crypto.PublicKey { return r.key.Public() }
func (r remoteSigner) Sign(rnd io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	if r.sig != nil {
		return r.sig, nil
	}
	return r.key.Sign(rnd, d, o)
}

// TestGolangJWTSignsMLDSAWithCryptoSigner: the ML-DSA method registered
// with golang-jwt signs through any crypto.Signer, so that a golang-jwt
// user's SignedString works with an ML-DSA key in a KMS.
func TestGolangJWTSignsMLDSAWithCryptoSigner(t *testing.T) {
	pub, priv, err := mldsa44.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	method := jwt.GetSigningMethod("ML-DSA-44")
	tok, err := jwt.NewWithClaims(method, jwt.MapClaims{"sub": "x"}).SignedString(remoteSigner{key: priv})
	if err != nil {
		t.Fatalf("SignedString with a crypto.Signer: %v", err)
	}
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{"ML-DSA-44"})); err != nil {
		t.Fatalf("verify: %v", err)
	}
	_, other, _ := mldsa44.GenerateKey(rand.Reader)
	if _, err := jwt.GetSigningMethod("ML-DSA-65").Sign("x", remoteSigner{key: other}); !errors.Is(err, jwt.ErrInvalidKeyType) {
		t.Fatalf("an ML-DSA-44 signer used for ML-DSA-65: %v", err)
	}
	if _, err := method.Sign("x", remoteSigner{key: priv, sig: make([]byte, 10)}); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a short signature from the signer: %v", err)
	}
}

// TestAttackSignerReturnsMalformedECDSA: a signer (a KMS, an HSM) that
// returns something other than an ASN.1 ECDSA signature of its curve makes
// signing fail rather than emit a token nobody can verify.
func TestAttackSignerReturnsMalformedECDSA(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, sig := range map[string][]byte{
		"not ASN.1":       []byte("garbage"),
		"trailing data":   append(must(key.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)), 0),
		"P-384 sized r,s": must(ecdsa.SignASN1(rand.Reader, mustP384(t), make([]byte, 48))),
	} {
		t.Run(name, func(t *testing.T) {
			sk, err := NewSigningKeyFromSigner(ES256, remoteSigner{key: key, sig: sig})
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewSigner(mustKeySet(t, sk), testIssuer)
			if err != nil {
				t.Fatal(err)
			}
			if tok, err := s.Sign(testAudience, nil); !errors.Is(err, ErrInvalidKey) || tok != "" {
				t.Fatalf("signed: %q, %v", tok, err)
			}
		})
	}
}

func mustP384(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
