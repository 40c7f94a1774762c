package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sealjwt/sealjwt/internal/pemkey"
)

// mldsaOIDs are the ML-DSA algorithm identifiers of
// draft-ietf-lamps-dilithium-certificates (NIST CSOR).
var mldsaOIDs = map[Alg]asn1.ObjectIdentifier{
	MLDSA44: {2, 16, 840, 1, 101, 3, 4, 3, 17},
	MLDSA65: {2, 16, 840, 1, 101, 3, 4, 3, 18},
	MLDSA87: {2, 16, 840, 1, 101, 3, 4, 3, 19},
}

// WithKID names the kid of a key read from PEM or DER, which carries none;
// without it the kid is the RFC 7638 thumbprint.
func WithKID(kid string) JWKOption { return func(o *jwkOptions) { o.kid = kid } }

// WithCertificateValidAt refuses a certificate that is not valid at t
// (ErrExpired or ErrNotYetValid). Without it a certificate is only a
// container for its public key, and its dates are not checked.
func WithCertificateValidAt(t time.Time) JWKOption {
	return func(o *jwkOptions) { o.certTime = t }
}

// ParseSigningPEM reads a private signing key from PEM or DER: PKCS#8
// ("PRIVATE KEY": RSA, ECDSA, Ed25519, and ML-DSA in the seed or
// seed-and-expanded form of draft-ietf-lamps-dilithium-certificates),
// PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"). The alg comes
// from the key (Ed25519: EdDSA; P-256: ES256; P-384: ES384; ML-DSA: its
// parameter set) or, for RSA, from WithJWKAlg (RS256 or PS256). An
// encrypted key, a public key or a certificate is refused.
func ParseSigningPEM(data []byte, opts ...JWKOption) (*SigningKey, error) {
	o := applyJWKOptions(opts)
	k, err := pemkey.Parse(data)
	if err != nil {
		return nil, err
	}
	if k.Private == nil {
		return nil, fmt.Errorf("%w: a public key or certificate where a private signing key is needed", ErrInvalidKey)
	}
	priv, alg, err := pemPrivate(k.Private, o.alg)
	if err != nil {
		return nil, err
	}
	sk, err := newSigningKey(alg, priv)
	if err != nil {
		return nil, err
	}
	if err := checkKID(o.kid, nil); err != nil {
		return nil, err
	}
	if o.kid != "" {
		sk.kid, sk.pub.kid = o.kid, o.kid
	}
	return sk, nil
}

// ParseVerifyingPEM reads a public signing key from PEM or DER: PKIX
// ("PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY") or the public key of an X.509
// certificate ("CERTIFICATE"; the first of a chain). The alg is found as
// for ParseSigningPEM. A private key is refused, as ParseVerifyingJWK
// refuses one.
func ParseVerifyingPEM(data []byte, opts ...JWKOption) (*VerifyingKey, error) {
	o := applyJWKOptions(opts)
	k, err := pemkey.Parse(data)
	if err != nil {
		return nil, err
	}
	if k.Private != nil {
		return nil, fmt.Errorf("%w: a private key where a public key is expected", ErrInvalidKey)
	}
	if err := checkCertificate(k, o.certTime); err != nil {
		return nil, err
	}
	pub, alg, err := pemPublic(k.Public, o.alg)
	if err != nil {
		return nil, err
	}
	vk, err := newVerifyingKey(alg, pub)
	if err != nil {
		return nil, err
	}
	if err := checkKID(o.kid, nil); err != nil {
		return nil, err
	}
	if o.kid != "" {
		vk.kid = o.kid
	}
	return vk, nil
}

// checkCertificate refuses a certificate outside its validity at t, when
// the caller asked for the check.
func checkCertificate(k *pemkey.Key, t time.Time) error {
	switch {
	case k.Cert == nil || t.IsZero():
		return nil
	case t.After(k.Cert.NotAfter):
		return fmt.Errorf("%w: certificate expired at %s", ErrExpired, k.Cert.NotAfter.UTC().Format(time.RFC3339))
	case t.Before(k.Cert.NotBefore):
		return fmt.Errorf("%w: certificate valid from %s", ErrNotYetValid, k.Cert.NotBefore.UTC().Format(time.RFC3339))
	}
	return nil
}

// pemAlg decides the alg of a key read from PEM: the one the key's type
// implies, which a named alg must agree with, or the named one for RSA.
func pemAlg(implied, named Alg, what string) (Alg, error) {
	switch {
	case implied == "" && named == "":
		return "", fmt.Errorf("%w: an %s key serves RS256 and PS256: name the alg", ErrInvalidKey, what)
	case implied == "":
		return named, nil
	case named != "" && named != implied:
		return "", fmt.Errorf("%w: the key is for %s, but %s was named", ErrInvalidKey, implied, named)
	}
	return implied, nil
}

func pemPrivate(key any, named Alg) (any, Alg, error) {
	switch k := key.(type) {
	case *pemkey.Raw:
		alg := mldsaAlgOf(k.OID)
		if alg == "" {
			return nil, "", fmt.Errorf("%w: private key algorithm %s is not a signature algorithm", ErrUnsupported, k.OID)
		}
		alg, err := pemAlg(alg, named, "ML-DSA")
		if err != nil {
			return nil, "", err
		}
		priv, err := parseMLDSAPrivate(mldsaParamSets[alg], k.Bytes)
		return priv, alg, err
	case *rsa.PrivateKey:
		alg, err := pemAlg("", named, "RSA")
		return k, alg, err
	}
	_, alg, err := pemPublic(publicOf(key), named)
	return key, alg, err
}

// publicOf returns the public half of a standard library private key.
func publicOf(key any) any {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	}
	return key
}

func pemPublic(key any, named Alg) (any, Alg, error) {
	var implied Alg
	switch k := key.(type) {
	case ed25519.PublicKey:
		implied = EdDSA
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			implied = ES256
		case elliptic.P384():
			implied = ES384
		default:
			return nil, "", fmt.Errorf("%w: ECDSA curve %s", ErrUnsupported, k.Curve.Params().Name)
		}
	case *rsa.PublicKey:
	case *pemkey.Raw:
		alg := mldsaAlgOf(k.OID)
		if alg == "" {
			return nil, "", fmt.Errorf("%w: public key algorithm %s is not a signature algorithm", ErrUnsupported, k.OID)
		}
		alg, err := pemAlg(alg, named, "ML-DSA")
		if err != nil {
			return nil, "", err
		}
		pub, err := newMLDSAPublic(mldsaParamSets[alg], k.Bytes)
		return pub, alg, err
	default:
		return nil, "", fmt.Errorf("%w: %T is not a signing key", ErrUnsupported, key)
	}
	alg, err := pemAlg(implied, named, "RSA")
	return key, alg, err
}

func mldsaAlgOf(oid asn1.ObjectIdentifier) Alg {
	for alg, o := range mldsaOIDs {
		if o.Equal(oid) {
			return alg
		}
	}
	return ""
}

// parseMLDSAPrivate reads the ML-DSA privateKey of
// draft-ietf-lamps-dilithium-certificates: seed [0] IMPLICIT OCTET STRING,
// or SEQUENCE { seed, expandedKey } whose two halves must agree. The
// expanded-only form is refused: the JWK needs the seed.
func parseMLDSAPrivate(p *mldsaParams, der []byte) (*mldsaPrivate, error) {
	s := cryptobyte.String(der)
	var seed, expanded cryptobyte.String
	switch {
	case s.PeekASN1Tag(casn1.Tag(0).ContextSpecific()):
		if !s.ReadASN1(&seed, casn1.Tag(0).ContextSpecific()) || !s.Empty() {
			return nil, fmt.Errorf("%w: %s private key seed", ErrMalformed, p.alg)
		}
	case s.PeekASN1Tag(casn1.SEQUENCE):
		var both cryptobyte.String
		if !s.ReadASN1(&both, casn1.SEQUENCE) || !s.Empty() || !both.ReadASN1(&seed, casn1.OCTET_STRING) ||
			!both.ReadASN1(&expanded, casn1.OCTET_STRING) || !both.Empty() {
			return nil, fmt.Errorf("%w: %s private key seed and expanded key", ErrMalformed, p.alg)
		}
	default:
		return nil, fmt.Errorf("%w: an %s private key without its seed; write it in the seed form", ErrUnsupported, p.alg)
	}
	priv, err := newMLDSAFromSeed(p, seed)
	if err != nil || expanded == nil {
		return priv, err
	}
	sk, err := priv.sk.MarshalBinary()
	if err != nil || subtle.ConstantTimeCompare(sk, expanded) != 1 {
		return nil, fmt.Errorf("%w: %s expanded key does not match its seed", ErrInvalidKey, p.alg)
	}
	return priv, nil
}

// MarshalPEM returns the private key as PKCS#8 PEM ("PRIVATE KEY"); ML-DSA
// in the seed form. Treat it as a secret. An HS256 secret and a key behind
// a crypto.Signer have none.
func (k *SigningKey) MarshalPEM() ([]byte, error) {
	switch p := k.key.(type) {
	case *mldsaPrivate:
		var b cryptobyte.Builder
		b.AddASN1(casn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(p.seed[:]) })
		return pemkey.MarshalRawPKCS8(mldsaOIDs[k.alg], b.BytesOrPanic())
	case ed25519.PrivateKey, *ecdsa.PrivateKey, *rsa.PrivateKey:
		return pemkey.MarshalPKCS8(p)
	}
	return nil, fmt.Errorf("%w: a %s key held as %T has no PKCS#8 form", ErrInvalidKey, k.alg, k.key)
}

// MarshalPEM returns the public key as PKIX PEM ("PUBLIC KEY"). An HS256
// key is refused.
func (k *VerifyingKey) MarshalPEM() ([]byte, error) {
	switch p := k.key.(type) {
	case *mldsaPublic:
		return pemkey.MarshalRawPKIX(mldsaOIDs[k.alg], p.raw)
	case ed25519.PublicKey, *ecdsa.PublicKey, *rsa.PublicKey:
		return pemkey.MarshalPKIX(p)
	}
	return nil, fmt.Errorf("%w: an HS256 key is a shared secret and has no public key", ErrInvalidKey)
}
