package token

import (
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
	"github.com/golang-jwt/jwt/v5"
)

// ML-DSA for JOSE as RFC 9964 defines it: the JWS signature is the raw
// FIPS 204 signature over the JWS signing input, with an empty context
// string; the private JWK carries only the 32-byte seed.

// mldsaSeedSize is the FIPS 204 key generation seed size (all three sets).
const mldsaSeedSize = 32

// mldsaParams describes one ML-DSA parameter set.
type mldsaParams struct {
	alg    Alg
	scheme sign.Scheme
	// signTo makes a hedged signature (FIPS 204 default), which circl's
	// generic Scheme.Sign does not offer: it is deterministic only.
	signTo func(sk sign.PrivateKey, msg, sig []byte) error
}

var errMLDSAKeyType = errors.New("ML-DSA key of the wrong parameter set")

var mldsaParamSets = map[Alg]*mldsaParams{
	MLDSA44: {MLDSA44, mldsa44.Scheme(), func(sk sign.PrivateKey, msg, sig []byte) error {
		k, ok := sk.(*mldsa44.PrivateKey)
		if !ok {
			return errMLDSAKeyType
		}
		return mldsa44.SignTo(k, msg, nil, true, sig)
	}},
	MLDSA65: {MLDSA65, mldsa65.Scheme(), func(sk sign.PrivateKey, msg, sig []byte) error {
		k, ok := sk.(*mldsa65.PrivateKey)
		if !ok {
			return errMLDSAKeyType
		}
		return mldsa65.SignTo(k, msg, nil, true, sig)
	}},
	MLDSA87: {MLDSA87, mldsa87.Scheme(), func(sk sign.PrivateKey, msg, sig []byte) error {
		k, ok := sk.(*mldsa87.PrivateKey)
		if !ok {
			return errMLDSAKeyType
		}
		return mldsa87.SignTo(k, msg, nil, true, sig)
	}},
}

// mldsaPrivate is the key value handed to golang-jwt for signing.
type mldsaPrivate struct {
	params *mldsaParams
	seed   [mldsaSeedSize]byte
	sk     sign.PrivateKey
	pub    *mldsaPublic
}

// mldsaPublic is the key value handed to golang-jwt for verifying.
type mldsaPublic struct {
	params *mldsaParams
	pk     sign.PublicKey
	raw    []byte // FIPS 204 encoded public key, the JWK "pub"
}

// newMLDSAFromSeed expands a seed into a key pair (FIPS 204 KeyGen_internal).
func newMLDSAFromSeed(p *mldsaParams, seed []byte) (*mldsaPrivate, error) {
	if len(seed) != mldsaSeedSize {
		return nil, fmt.Errorf("%w: %s seed must be %d bytes", ErrInvalidKey, p.alg, mldsaSeedSize)
	}
	pk, sk := p.scheme.DeriveKey(seed)
	raw, err := pk.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	k := &mldsaPrivate{params: p, sk: sk, pub: &mldsaPublic{params: p, pk: pk, raw: raw}}
	copy(k.seed[:], seed)
	return k, nil
}

// newMLDSAPublic decodes a FIPS 204 public key of the given parameter set.
func newMLDSAPublic(p *mldsaParams, raw []byte) (*mldsaPublic, error) {
	if len(raw) != p.scheme.PublicKeySize() {
		return nil, fmt.Errorf("%w: %s public key must be %d bytes", ErrInvalidKey, p.alg, p.scheme.PublicKeySize())
	}
	pk, err := p.scheme.UnmarshalBinaryPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return &mldsaPublic{params: p, pk: pk, raw: append([]byte(nil), raw...)}, nil
}

// equal compares two public keys of the same parameter set.
func (k *mldsaPublic) equal(o *mldsaPublic) bool {
	return k.params == o.params && subtle.ConstantTimeCompare(k.raw, o.raw) == 1
}

// signingMethodMLDSA implements jwt.SigningMethod for one parameter set.
type signingMethodMLDSA struct{ params *mldsaParams }

var mldsaMethods = map[Alg]*signingMethodMLDSA{}

func init() {
	// golang-jwt's registry is the one piece of global state we touch, so
	// that other golang-jwt code (a peer's parser) can verify these tokens;
	// our Verifier never looks a method up by the header's alg.
	for alg, p := range mldsaParamSets {
		m := &signingMethodMLDSA{params: p}
		mldsaMethods[alg] = m
		jwt.RegisterSigningMethod(string(alg), func() jwt.SigningMethod { return m })
	}
}

// Alg implements jwt.SigningMethod.
func (m *signingMethodMLDSA) Alg() string { return string(m.params.alg) }

// Verify implements jwt.SigningMethod. The key may be a *VerifyingKey or
// circl's public key type (*mldsa44.PublicKey ...), of this very parameter
// set; anything else is refused before circl sees it (circl's generic API
// panics on a type mismatch).
func (m *signingMethodMLDSA) Verify(signingString string, sig []byte, key any) error {
	pk, ok := m.publicKey(key)
	if !ok {
		return jwt.ErrInvalidKeyType
	}
	if len(sig) != m.params.scheme.SignatureSize() {
		return jwt.ErrSignatureInvalid
	}
	if !m.params.scheme.Verify(pk, []byte(signingString), sig, nil) {
		return jwt.ErrSignatureInvalid
	}
	return nil
}

// Sign implements jwt.SigningMethod. The key may be a *SigningKey,
// circl's private key type (*mldsa44.PrivateKey ...), of this very
// parameter set, or any crypto.Signer whose public key is circl's ML-DSA
// public key of this set (a KMS or HSM that signs ML-DSA).
func (m *signingMethodMLDSA) Sign(signingString string, key any) ([]byte, error) {
	sk, ok := m.privateKey(key)
	if !ok {
		return m.signOpaque(signingString, key)
	}
	sig := make([]byte, m.params.scheme.SignatureSize())
	if err := m.params.signTo(sk, []byte(signingString), sig); err != nil {
		return nil, err
	}
	return sig, nil
}

// signOpaque signs with a crypto.Signer (bare, or behind a SigningKey made
// by NewSigningKeyFromSigner) whose public key is of m's parameter set,
// and checks the signature's length, since the signer is not ours.
func (m *signingMethodMLDSA) signOpaque(signingString string, key any) ([]byte, error) {
	if k, ok := key.(*SigningKey); ok && k != nil {
		key = k.key
	}
	if k, ok := key.(*opaqueKey); ok {
		key = k.signer
	}
	signer, ok := key.(crypto.Signer)
	if !ok || signer == nil {
		return nil, jwt.ErrInvalidKeyType
	}
	if pk, ok := signer.Public().(sign.PublicKey); !ok || pk.Scheme() != m.params.scheme {
		return nil, jwt.ErrInvalidKeyType
	}
	sig, err := signerSign(signer, []byte(signingString), crypto.Hash(0))
	if err != nil {
		return nil, err
	}
	if len(sig) != m.params.scheme.SignatureSize() {
		return nil, fmt.Errorf("%w: the crypto.Signer returned %d bytes, not an %s signature", ErrInvalidKey, len(sig), m.params.alg)
	}
	return sig, nil
}

// publicKey returns key as a circl public key of m's parameter set. It
// takes the value golang-jwt users hold: our VerifyingKey, or circl's own
// key type; a typed nil is refused.
func (m *signingMethodMLDSA) publicKey(key any) (sign.PublicKey, bool) {
	var pk sign.PublicKey
	switch k := key.(type) {
	case *VerifyingKey:
		if k != nil {
			return m.publicKey(k.key)
		}
	case *mldsaPublic:
		if k != nil {
			pk = k.pk
		}
	case *mldsa44.PublicKey:
		if k != nil {
			pk = k
		}
	case *mldsa65.PublicKey:
		if k != nil {
			pk = k
		}
	case *mldsa87.PublicKey:
		if k != nil {
			pk = k
		}
	}
	return pk, pk != nil && pk.Scheme() == m.params.scheme
}

// privateKey is publicKey for signing: a SigningKey or circl's private key
// type.
func (m *signingMethodMLDSA) privateKey(key any) (sign.PrivateKey, bool) {
	var sk sign.PrivateKey
	switch k := key.(type) {
	case *SigningKey:
		if k != nil {
			return m.privateKey(k.key)
		}
	case *mldsaPrivate:
		if k != nil {
			sk = k.sk
		}
	case *mldsa44.PrivateKey:
		if k != nil {
			sk = k
		}
	case *mldsa65.PrivateKey:
		if k != nil {
			sk = k
		}
	case *mldsa87.PrivateKey:
		if k != nil {
			sk = k
		}
	}
	return sk, sk != nil && sk.Scheme() == m.params.scheme
}
