package seal

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/sealjwt/sealjwt/internal/pemkey"
)

// pemKEMs are the KEMs whose keys have a standard PKCS#8 and PKIX encoding,
// with the alg a key of each gets when none is named, the curve for those
// the standard library holds as ecdh keys, and the OID for the others.
var pemKEMs = map[uint16]struct {
	alg   Alg
	curve ecdh.Curve
	oid   asn1.ObjectIdentifier
}{
	kemP256:      {HPKE0, ecdh.P256(), nil},
	kemP384:      {HPKE1, ecdh.P384(), nil},
	kemP521:      {HPKE2, ecdh.P521(), nil},
	kemX25519:    {HPKE3, ecdh.X25519(), nil},
	kemX448:      {HPKE5, nil, asn1.ObjectIdentifier{1, 3, 101, 111}},                  // RFC 8410
	kemMLKEM768:  {HPKE12, nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}}, // draft-ietf-lamps-kyber-certificates
	kemMLKEM1024: {HPKE13, nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}},
}

// KeyOption adjusts how a PEM key is read.
type KeyOption func(*keyOptions)

type keyOptions struct {
	alg Alg
	kid string
}

// WithAlg binds a key read from PEM to alg rather than to its curve's
// default (HPKE-0 for P-256, HPKE-1 for P-384, HPKE-2 for P-521, HPKE-3 for
// X25519, HPKE-5 for X448, HPKE-12 for ML-KEM-768, HPKE-13 for
// ML-KEM-1024). The alg must use the key's KEM.
func WithAlg(alg Alg) KeyOption { return func(o *keyOptions) { o.alg = alg } }

// WithKID names a key read from PEM; without it the kid is the RFC 7638
// thumbprint.
func WithKID(kid string) KeyOption { return func(o *keyOptions) { o.kid = kid } }

// DefaultAlgFor returns the alg a key on curve gets when none is named
// (the same defaults as WithAlg's), or "" for a curve no HPKE suite uses.
func DefaultAlgFor(curve ecdh.Curve) Alg {
	kem, err := kemOfCurve(curve)
	if err != nil {
		return ""
	}
	return pemKEMs[kem].alg
}

// ParsePrivatePEM reads a receiver's private key from PEM or DER: PKCS#8
// ("PRIVATE KEY": P-256/384/521, X25519, X448, ML-KEM in the seed form) or
// SEC 1 ("EC PRIVATE KEY"). An encrypted key, a public key or a
// certificate is refused.
func ParsePrivatePEM(data []byte, opts ...KeyOption) (*PrivateKey, error) {
	sp, raw, o, err := parsePEM(data, opts, true)
	if err != nil {
		return nil, err
	}
	priv, err := backendFor(sp.suite).newPrivate(sp.suite, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newPrivateKeyKID(sp, priv, o.kid), nil
}

// ParsePublicPEM reads a receiver's public key from PEM or DER: PKIX
// ("PUBLIC KEY") or an X.509 certificate's key. The alg is chosen as for
// ParsePrivatePEM. A private key is refused.
func ParsePublicPEM(data []byte, opts ...KeyOption) (*PublicKey, error) {
	sp, raw, o, err := parsePEM(data, opts, false)
	if err != nil {
		return nil, err
	}
	pub, err := backendFor(sp.suite).newPublic(sp.suite, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newPublicKeyKID(sp, pub, o.kid), nil
}

// parsePEM reads a private or a public key, refusing the other kind, and
// returns its alg's spec and its serialized form.
func parsePEM(data []byte, opts []KeyOption, private bool) (*algSpec, []byte, keyOptions, error) {
	o, err := keyOpts(opts)
	if err != nil {
		return nil, nil, o, err
	}
	k, err := pemkey.Parse(data)
	if err != nil {
		return nil, nil, o, err
	}
	var kem uint16
	var raw []byte
	switch {
	case private && k.Private == nil:
		return nil, nil, o, fmt.Errorf("%w: a public key or certificate where a private sealing key is needed", ErrInvalidKey)
	case !private && k.Private != nil:
		return nil, nil, o, fmt.Errorf("%w: a private key where a public key is expected", ErrInvalidKey)
	case private:
		kem, raw, err = pemPrivate(k.Private)
	default:
		kem, raw, err = pemPublic(k.Public)
	}
	if err != nil {
		return nil, nil, o, err
	}
	sp, err := pemAlg(kem, o.alg)
	return sp, raw, o, err
}

func keyOpts(opts []KeyOption) (keyOptions, error) {
	var o keyOptions
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.kid) > maxKIDLen {
		return o, fmt.Errorf("%w: kid must be at most %d bytes", ErrInvalidKey, maxKIDLen)
	}
	return o, nil
}

// pemAlg returns the named alg, which must use kem, or kem's default.
func pemAlg(kem uint16, named Alg) (*algSpec, error) {
	if named == "" {
		named = pemKEMs[kem].alg
	}
	sp, ok := lookupAlg(named)
	if !ok {
		return nil, fmt.Errorf("%w: alg %.32q", ErrUnsupported, named)
	}
	if sp.suite.kem != kem {
		return nil, fmt.Errorf("%w: the key is for %s's KEM, not %s's", ErrInvalidKey, pemKEMs[kem].alg, named)
	}
	return sp, nil
}

// kemOfCurve returns the KEM of an ecdh curve.
func kemOfCurve(c ecdh.Curve) (uint16, error) {
	for kem, p := range pemKEMs {
		if p.curve == c {
			return kem, nil
		}
	}
	return 0, fmt.Errorf("%w: curve %v", ErrUnsupported, c)
}

// kemOfOID returns the KEM of a key the standard library does not parse.
func kemOfOID(oid asn1.ObjectIdentifier) (uint16, error) {
	for kem, p := range pemKEMs {
		if p.oid != nil && p.oid.Equal(oid) {
			return kem, nil
		}
	}
	return 0, fmt.Errorf("%w: key algorithm %s is not an HPKE KEM", ErrUnsupported, oid)
}

// pemPrivate returns a private key's KEM and its SerializePrivateKey form.
func pemPrivate(key any) (uint16, []byte, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		e, err := k.ECDH()
		if err != nil {
			return 0, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return pemPrivate(e)
	case *ecdh.PrivateKey:
		kem, err := kemOfCurve(k.Curve())
		return kem, k.Bytes(), err
	case *pemkey.Raw:
		kem, err := kemOfOID(k.OID)
		if err != nil {
			return 0, nil, err
		}
		raw, err := rawPrivate(kem, k.Bytes)
		return kem, raw, err
	}
	return 0, nil, fmt.Errorf("%w: a %T is not an HPKE key", ErrUnsupported, key)
}

// rawPrivate unwraps the privateKey octets: an OCTET STRING for X448
// (RFC 8410), the seed [0] for ML-KEM (the only form whose JWK we can
// write: the draft's expanded forms carry no usable seed check here).
func rawPrivate(kem uint16, der []byte) ([]byte, error) {
	s := cryptobyte.String(der)
	var out cryptobyte.String
	tag := casn1.Tag(casn1.OCTET_STRING)
	if kem != kemX448 {
		tag = casn1.Tag(0).ContextSpecific()
	}
	if !s.ReadASN1(&out, tag) || !s.Empty() {
		return nil, fmt.Errorf("%w: %s private key: want the seed form", ErrMalformed, pemKEMs[kem].alg)
	}
	return out, nil
}

// pemPublic returns a public key's KEM and its SerializePublicKey form.
func pemPublic(key any) (uint16, []byte, error) {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		e, err := k.ECDH()
		if err != nil {
			return 0, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return pemPublic(e)
	case *ecdh.PublicKey:
		kem, err := kemOfCurve(k.Curve())
		return kem, k.Bytes(), err
	case *pemkey.Raw:
		kem, err := kemOfOID(k.OID)
		return kem, k.Bytes, err
	}
	return 0, nil, fmt.Errorf("%w: a %T is not an HPKE key", ErrUnsupported, key)
}

// MarshalPEM returns the private key as PKCS#8 PEM ("PRIVATE KEY"). Keys of
// suites without a standard encoding (the hybrid KEMs, X-Wing) and keys
// held outside the process are refused.
func (k *PrivateKey) MarshalPEM() ([]byte, error) {
	p, ok := pemKEMs[k.spec.suite.kem]
	raw := k.kem.bytes()
	switch {
	case !ok || raw == nil:
		return nil, fmt.Errorf("%w: %s keys of this kind have no PKCS#8 form", ErrUnsupported, k.spec.alg)
	case p.curve != nil:
		e, err := p.curve.NewPrivateKey(raw)
		if err != nil {
			return nil, err
		}
		return pemkey.MarshalPKCS8(e)
	}
	var b cryptobyte.Builder
	tag := casn1.Tag(casn1.OCTET_STRING)
	if k.spec.suite.kem != kemX448 {
		tag = casn1.Tag(0).ContextSpecific()
	}
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(raw) })
	return pemkey.MarshalRawPKCS8(p.oid, b.BytesOrPanic())
}

// MarshalPEM returns the public key as PKIX PEM ("PUBLIC KEY"), for the
// KEMs that have a standard encoding.
func (k *PublicKey) MarshalPEM() ([]byte, error) {
	p, ok := pemKEMs[k.spec.suite.kem]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: %s keys have no PKIX form", ErrUnsupported, k.spec.alg)
	case p.curve != nil:
		e, err := p.curve.NewPublicKey(k.kem.bytes())
		if err != nil {
			return nil, err
		}
		return pemkey.MarshalPKIX(e)
	}
	return pemkey.MarshalRawPKIX(p.oid, k.kem.bytes())
}
