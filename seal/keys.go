package seal

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// PrivateKey is a recipient key pair bound to one alg.
type PrivateKey struct {
	spec *algSpec
	kem  kemPrivate
	pub  *PublicKey
}

// PublicKey is a recipient public key bound to one alg.
type PublicKey struct {
	spec *algSpec
	kem  kemPublic
	kid  string
	// thumb is the RFC 7638 thumbprint, which kid need not be.
	thumb string
	// header is the encoded protected header {"alg":...,"kid":...} that
	// Seal uses when no option changes it, and headerAAD the same bytes as
	// the HPKE aad: both computed once per key rather than per message.
	header    string
	headerAAD []byte
	// jwtHeader is the same with cty "JWT", the nested-JWT envelope
	// (RFC 7519 section 5.2), the one content type sent on every message.
	jwtHeader    string
	jwtHeaderAAD []byte
}

// GenerateKey returns a new key for alg.
func GenerateKey(alg Alg) (*PrivateKey, error) {
	sp, ok := lookupAlg(alg)
	if !ok {
		return nil, fmt.Errorf("%w: alg %q", ErrUnsupported, alg)
	}
	k, err := backendFor(sp.suite).generate(sp.suite)
	if err != nil {
		return nil, err
	}
	return newPrivateKey(sp, k), nil
}

func newPrivateKey(sp *algSpec, k kemPrivate) *PrivateKey { return newPrivateKeyKID(sp, k, "") }

// newPrivateKeyKID is newPrivateKey with the kid a JWK gave the key; an
// empty kid means the RFC 7638 thumbprint.
func newPrivateKeyKID(sp *algSpec, k kemPrivate, kid string) *PrivateKey {
	return &PrivateKey{spec: sp, kem: k, pub: newPublicKeyKID(sp, k.public(), kid)}
}

func newPublicKey(sp *algSpec, k kemPublic) *PublicKey { return newPublicKeyKID(sp, k, "") }

func newPublicKeyKID(sp *algSpec, k kemPublic, kid string) *PublicKey {
	thumb := thumbprint(publicJWK(sp, k.bytes()))
	if kid == "" {
		kid = thumb
	}
	hdr := encodeHeader(headerFields{alg: sp.alg, kid: kid})
	jwt := encodeHeader(headerFields{alg: sp.alg, kid: kid, cty: "JWT"})
	return &PublicKey{spec: sp, kem: k, kid: kid, thumb: thumb, header: hdr, headerAAD: []byte(hdr),
		jwtHeader: jwt, jwtHeaderAAD: []byte(jwt)}
}

// Alg returns the one alg this key is used with.
func (k *PrivateKey) Alg() Alg { return k.spec.alg }

// KID returns the key's id: the RFC 7638 thumbprint of the public key, or
// the kid of the JWK it was read from.
func (k *PrivateKey) KID() string { return k.pub.kid }

// Public returns the public half.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// MarshalJSON returns the private JWK, with kid, alg and use "enc". A key
// held behind a KeyExchanger or a Decapsulator has none and is refused.
func (k *PrivateKey) MarshalJSON() ([]byte, error) {
	if _, ok := k.kem.(*opaquePrivate); ok {
		return nil, fmt.Errorf("%w: the private key is held outside the process; marshal the public key", ErrInvalidKey)
	}
	j := publicJWK(k.spec, k.pub.kem.bytes())
	j.Kid = k.pub.kid
	if k.spec.kty == "AKP" {
		j.Priv = strict.Encode(k.kem.bytes())
	} else {
		j.D = strict.Encode(k.kem.bytes())
	}
	return json.Marshal(j)
}

// Alg returns the one alg this key is used with.
func (k *PublicKey) Alg() Alg { return k.spec.alg }

// KID returns the key's id: the RFC 7638 thumbprint, or the kid of the
// JWK it was read from.
func (k *PublicKey) KID() string { return k.kid }

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of the key, whatever
// its kid: the name a signed message gives its recipient key.
func (k *PublicKey) Thumbprint() string { return k.thumb }

// MarshalJSON returns the public JWK, with kid, alg and use "enc".
func (k *PublicKey) MarshalJSON() ([]byte, error) {
	j := publicJWK(k.spec, k.kem.bytes())
	j.Kid = k.kid
	return json.Marshal(j)
}

// ParsePublicJWK parses a public JWK. The key keeps the JWK's kid, if it
// has one, and is otherwise named by its RFC 7638 thumbprint. "alg" is
// required: an HPKE key serves one suite, which its type does not decide.
// A JWK carrying private members is
// refused: a private key where a public one is expected is a leak to report,
// not to ignore.
func ParsePublicJWK(data []byte) (*PublicKey, error) {
	j, sp, err := decodeJWK(data)
	if err != nil {
		return nil, err
	}
	if j.hasPrivate() {
		return nil, fmt.Errorf("%w: private members in a public JWK", ErrInvalidKey)
	}
	raw, err := j.publicBytes(sp)
	if err != nil {
		return nil, err
	}
	k, err := backendFor(sp.suite).newPublic(sp.suite, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newPublicKeyKID(sp, k, j.Kid), nil
}

// ParsePrivateJWK parses a private JWK. The public members must be present
// and must match the private key. The kid is kept as ParsePublicJWK keeps
// it.
func ParsePrivateJWK(data []byte) (*PrivateKey, error) {
	j, sp, err := decodeJWK(data)
	if err != nil {
		return nil, err
	}
	raw, err := j.privateBytes(sp)
	if err != nil {
		return nil, err
	}
	given, err := j.publicBytes(sp)
	if err != nil {
		return nil, err
	}
	k, err := backendFor(sp.suite).newPrivate(sp.suite, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	if subtle.ConstantTimeCompare(k.public().bytes(), given) != 1 {
		return nil, fmt.Errorf("%w: public members do not match the private key", ErrInvalidKey)
	}
	return newPrivateKeyKID(sp, k, j.Kid), nil
}
