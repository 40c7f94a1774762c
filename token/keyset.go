package token

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/keyindex"
)

const (
	// maxKeys bounds the size of a key set, parsed or built.
	maxKeys = 64
	// maxJWKSSize bounds a JWKS document before any parsing.
	maxJWKSSize = maxKeys * maxJWKSize
)

// KeySet is the signing keys of one issuer: the primary key signs, older
// keys are kept so that their public halves stay published while tokens
// they signed are still alive (rotation without downtime).
type KeySet struct {
	keys []*SigningKey // keys[0] is the primary
	byID map[string]*SigningKey
}

// NewKeySet builds a key set. kids must be distinct.
func NewKeySet(primary *SigningKey, older ...*SigningKey) (*KeySet, error) {
	keys := append([]*SigningKey{primary}, older...)
	if len(keys) > maxKeys {
		return nil, fmt.Errorf("%w: more than %d keys", ErrInvalidKey, maxKeys)
	}
	byID, err := keyindex.ByKID(keys, nil)
	if err != nil {
		return nil, err
	}
	return &KeySet{keys: keys, byID: byID}, nil
}

// Primary returns the key new tokens are signed with.
func (s *KeySet) Primary() *SigningKey { return s.keys[0] }

// Keys returns every key, the primary first.
func (s *KeySet) Keys() []*SigningKey { return append([]*SigningKey(nil), s.keys...) }

// Lookup returns the key with this kid.
func (s *KeySet) Lookup(kid string) (*SigningKey, bool) {
	k, ok := s.byID[kid]
	return k, ok
}

// Verifying returns the keys that verify these keys' signatures, in the
// same order: public keys, or for HS256 the shared secret itself (see
// [SigningKey.Verifying]).
func (s *KeySet) Verifying() *VerifyingKeySet {
	pubs := make([]*VerifyingKey, len(s.keys))
	for i, k := range s.keys {
		pubs[i] = k.pub
	}
	vs, _ := NewVerifyingKeySet(pubs...) // cannot fail: same kids, same count
	return vs
}

// MarshalJSON returns a private JWKS, the primary key first. Treat it as
// a secret.
func (s *KeySet) MarshalJSON() ([]byte, error) { return marshalJWKS(s.keys) }

// ParseKeySet reads a private JWKS, or a single private JWK (a set of one);
// the first key is the primary. Options apply to every key, as in
// [ParseSigningJWK].
func ParseKeySet(jwks []byte, opts ...JWKOption) (*KeySet, error) {
	keys, err := parseJWKS(jwks, func(b []byte) (*SigningKey, error) { return ParseSigningJWK(b, opts...) })
	if err != nil {
		return nil, err
	}
	return NewKeySet(keys[0], keys[1:]...)
}

// VerifyingKeySet is a set of public keys, looked up by kid.
type VerifyingKeySet struct {
	keys    []*VerifyingKey
	byID    map[string]*VerifyingKey
	skipped []error
}

// NewVerifyingKeySet builds a set; kids must be distinct.
func NewVerifyingKeySet(keys ...*VerifyingKey) (*VerifyingKeySet, error) {
	if len(keys) == 0 || len(keys) > maxKeys {
		return nil, fmt.Errorf("%w: a key set holds 1 to %d keys", ErrInvalidKey, maxKeys)
	}
	byID, err := keyindex.ByKID(keys, nil)
	if err != nil {
		return nil, err
	}
	return &VerifyingKeySet{keys: append([]*VerifyingKey(nil), keys...), byID: byID}, nil
}

// Lookup returns the key with this kid.
func (s *VerifyingKeySet) Lookup(kid string) (*VerifyingKey, bool) {
	k, ok := s.byID[kid]
	return k, ok
}

// Keys returns every key, in order.
func (s *VerifyingKeySet) Keys() []*VerifyingKey { return append([]*VerifyingKey(nil), s.keys...) }

// Skipped returns why each key that ParseVerifyingKeySet left out was
// unusable, in the set's order; nil for a set built from keys.
func (s *VerifyingKeySet) Skipped() []error { return append([]error(nil), s.skipped...) }

// MarshalJSON returns the public JWKS. It fails if the set holds an HS256
// key, whose secret must not be published.
func (s *VerifyingKeySet) MarshalJSON() ([]byte, error) { return marshalJWKS(s.keys) }

// ParseVerifyingKeySet reads a public JWKS as an identity provider
// publishes it, or a single public JWK (a set of one). Options apply to every key, as in ParseVerifyingJWK. Keys
// this package cannot verify with (another "use", an unknown kty or alg,
// an unsupported curve, an RSA modulus out of range) are skipped, as RFC
// 7517 section 5 asks, and Skipped says which; so is every symmetric (oct)
// key, which a published set must never supply. A malformed key fails the
// whole set, and so does a set with no usable key.
func ParseVerifyingKeySet(jwks []byte, opts ...JWKOption) (*VerifyingKeySet, error) {
	raws, err := splitJWKS(jwks)
	if err != nil {
		return nil, err
	}
	keys, skipped, err := keyindex.ParsePublished(raws, func(b []byte) (*VerifyingKey, error) { return ParseVerifyingJWK(b, opts...) })
	if err != nil {
		return nil, err
	}
	s, err := NewVerifyingKeySet(keys...)
	if err != nil {
		return nil, err
	}
	s.skipped = skipped
	return s, nil
}

func marshalJWKS[K json.Marshaler](keys []K) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"keys":[`)
	for i, k := range keys {
		j, err := k.MarshalJSON()
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(j)
	}
	b.WriteString(`]}`)
	return b.Bytes(), nil
}

// splitJWKS returns the keys of a JWKS or of a single JWK, at most maxKeys.
func splitJWKS(data []byte) ([]json.RawMessage, error) {
	keys, err := keyindex.JWKs(data, maxJWKSSize)
	if err != nil {
		return nil, err
	}
	if len(keys) > maxKeys {
		return nil, fmt.Errorf("%w: a JWKS holds 1 to %d keys", ErrInvalidKey, maxKeys)
	}
	return keys, nil
}

// parseJWKS parses each key of a JWKS with parse.
func parseJWKS[K any](jwks []byte, parse func([]byte) (K, error)) ([]K, error) {
	raws, err := splitJWKS(jwks)
	if err != nil {
		return nil, err
	}
	keys := make([]K, len(raws))
	for i, raw := range raws {
		if keys[i], err = parse(raw); err != nil {
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
	}
	return keys, nil
}
