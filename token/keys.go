package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

const (
	// MinHMACKeySize is the smallest HS256 secret accepted: the output
	// size of SHA-256 (RFC 7518 section 3.2).
	MinHMACKeySize = 32
	// rsaGenerateBits is the modulus size of generated RSA keys.
	rsaGenerateBits = 3072
	// rsaMinBits and rsaMaxBits bound parsed RSA keys: below 2048 is weak,
	// above 8192 lets a peer make every verification expensive.
	rsaMinBits = 2048
	rsaMaxBits = 8192
)

// SigningKey is a private signing key (or an HS256 shared secret) bound to
// one algorithm. Its kid is the RFC 7638 thumbprint of its public JWK,
// unless it was read from a JWK that names its own.
// A SigningKey is immutable and safe for concurrent use.
type SigningKey struct {
	alg Alg
	kid string
	key any // the value golang-jwt's method for alg signs with
	pub *VerifyingKey
}

// VerifyingKey is a public verification key bound to one algorithm. For
// HS256 it holds the shared secret itself, and it refuses to be marshalled
// (a shared secret has no public form). Immutable; safe for concurrent use.
type VerifyingKey struct {
	alg    Alg
	kid    string
	key    any // the value golang-jwt's method for alg verifies with
	method jwt.SigningMethod
	jwk    jwk // public JWK members, without kid, alg and use
}

// Alg returns the key's algorithm.
func (k *SigningKey) Alg() Alg { return k.alg }

// KID returns the key's id: the RFC 7638 SHA-256 thumbprint, or the kid
// of the JWK it was read from.
func (k *SigningKey) KID() string { return k.kid }

// Verifying returns the key that verifies this key's signatures: the public
// key, or for HS256 the shared secret itself, to be kept as secret as the
// signing key (it refuses to be marshalled).
func (k *SigningKey) Verifying() *VerifyingKey { return k.pub }

// Alg returns the key's algorithm.
func (k *VerifyingKey) Alg() Alg { return k.alg }

// KID returns the key's id: the RFC 7638 SHA-256 thumbprint, or the kid
// of the JWK it was read from.
func (k *VerifyingKey) KID() string { return k.kid }

// GenerateKey makes a new random signing key for alg. RSA keys have a
// 3072-bit modulus; HS256 keys are 32 random bytes.
func GenerateKey(alg Alg) (*SigningKey, error) {
	switch alg {
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return newSigningKey(alg, priv)
	case ES256, ES384:
		priv, err := ecdsa.GenerateKey(curveOf(alg), rand.Reader)
		if err != nil {
			return nil, err
		}
		return newSigningKey(alg, priv)
	case PS256, RS256:
		priv, err := rsa.GenerateKey(rand.Reader, rsaGenerateBits)
		if err != nil {
			return nil, err
		}
		return newSigningKey(alg, priv)
	case HS256:
		secret := make([]byte, MinHMACKeySize)
		_, _ = rand.Read(secret) // never fails: crypto/rand aborts the process instead
		return NewHMACKey(secret)
	case MLDSA44, MLDSA65, MLDSA87:
		seed := make([]byte, mldsaSeedSize)
		_, _ = rand.Read(seed) // never fails: crypto/rand aborts the process instead
		priv, err := newMLDSAFromSeed(mldsaParamSets[alg], seed)
		if err != nil {
			return nil, err
		}
		return newSigningKey(alg, priv)
	}
	_, err := alg.method()
	return nil, err
}

// NewHMACKey makes an HS256 key from a shared secret of at least 32 bytes.
// The secret is copied. HS256 exists for the shared-secret flow only: any
// holder of the secret can mint tokens, so prefer an asymmetric alg.
func NewHMACKey(secret []byte) (*SigningKey, error) {
	if len(secret) < MinHMACKeySize {
		return nil, fmt.Errorf("%w: HS256 secret of %d bytes, need at least %d", ErrInvalidKey, len(secret), MinHMACKeySize)
	}
	return newSigningKey(HS256, append([]byte(nil), secret...))
}

// NewHMACVerifyingKeySet returns the key set that verifies HS256 tokens
// signed with secret (at least 32 bytes), for [Verifier.Trust]: the
// shared-secret flow's verifier in one call more than [NewVerifier]. The
// secret is copied.
func NewHMACVerifyingKeySet(secret []byte) (*VerifyingKeySet, error) {
	k, err := NewHMACKey(secret)
	if err != nil {
		return nil, err
	}
	return NewVerifyingKeySet(k.pub)
}

// NewTutorialHMACKey is NewHMACKey without the 32-byte minimum, for the
// shorter secrets of the classic shared-secret tutorial: any non-empty
// secret. RFC 7518 section 3.2 requires a key at least as long as the
// SHA-256 output; a shorter one is easier to guess, and whoever guesses it
// mints tokens. Use it only to interoperate with such a secret, and say so
// to the user.
func NewTutorialHMACKey(secret []byte) (*SigningKey, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("%w: empty HS256 secret", ErrInvalidKey)
	}
	return newSigningKey(HS256, append([]byte(nil), secret...))
}

// curveOf returns the curve an ECDSA alg is defined on, or nil.
func curveOf(alg Alg) elliptic.Curve {
	switch alg {
	case ES256:
		return elliptic.P256()
	case ES384:
		return elliptic.P384()
	}
	return nil
}

// newSigningKey binds a private key value to alg, checking that the value
// is of the kind alg needs, and derives the public half and the kid.
func newSigningKey(alg Alg, priv any) (*SigningKey, error) {
	var pubKey any
	switch p := priv.(type) {
	case ed25519.PrivateKey:
		pubKey = p.Public()
	case *ecdsa.PrivateKey:
		pubKey = &p.PublicKey
	case *rsa.PrivateKey:
		pubKey = &p.PublicKey
	case []byte:
		pubKey = append([]byte(nil), p...)
	case *mldsaPrivate:
		pubKey = p.pub
	default:
		return nil, fmt.Errorf("%w: unsupported private key type %T", ErrInvalidKey, priv)
	}
	pub, err := newVerifyingKey(alg, pubKey)
	if err != nil {
		return nil, err
	}
	return &SigningKey{alg: alg, kid: pub.kid, key: priv, pub: pub}, nil
}

// newVerifyingKey binds a public key value to alg after checking that it
// suits alg, and computes its public JWK and kid.
func newVerifyingKey(alg Alg, pub any) (*VerifyingKey, error) {
	method, err := alg.method()
	if err != nil {
		return nil, err
	}
	if err := checkKeyFitsAlg(alg, pub); err != nil {
		return nil, err
	}
	j, err := publicJWK(alg, pub)
	if err != nil {
		return nil, err
	}
	return &VerifyingKey{alg: alg, kid: j.thumbprint(), key: pub, method: method, jwk: j}, nil
}

// checkKeyFitsAlg refuses a key value that alg cannot use, so that a key
// can never be paired with an algorithm of another family.
func checkKeyFitsAlg(alg Alg, pub any) error {
	ok := false
	switch p := pub.(type) {
	case ed25519.PublicKey:
		ok = alg == EdDSA && len(p) == ed25519.PublicKeySize
	case *ecdsa.PublicKey:
		ok = curveOf(alg) != nil && p.Curve == curveOf(alg)
	case *rsa.PublicKey:
		ok = (alg == RS256 || alg == PS256) && p.N.BitLen() >= rsaMinBits && p.N.BitLen() <= rsaMaxBits
	case []byte:
		ok = alg == HS256 && len(p) > 0 // the minimum size is NewHMACKey's and the JWK reader's
	case *mldsaPublic:
		ok = mldsaParamSets[alg] == p.params
	}
	if !ok {
		return fmt.Errorf("%w: %T cannot be used with %s", ErrInvalidKey, pub, alg)
	}
	return nil
}
