package seal

import (
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/keyindex"
)

// KeySet is a receiver's private keys: one primary key, which is advertised
// first and which senders should seal to, and older keys still accepted, so
// keys rotate without downtime.
type KeySet struct {
	keys  []*PrivateKey
	byKID map[string]*PrivateKey
	// known maps the encoded protected headers that Seal writes for these
	// keys in integrated mode to their parse: those bytes can only ever
	// parse to that result, so Open skips the JSON work for them.
	known map[string]*parsedHeader
}

// NewKeySet returns a key set. Keys must be distinct (by kid).
func NewKeySet(primary *PrivateKey, older ...*PrivateKey) (*KeySet, error) {
	keys := append([]*PrivateKey{primary}, older...)
	byKID, err := keyindex.ByKID(keys, func(k *PrivateKey) bool { return k.pub != nil })
	if err != nil {
		return nil, err
	}
	ks := &KeySet{keys: keys, byKID: byKID, known: make(map[string]*parsedHeader, 2*len(keys))}
	for _, k := range keys {
		if err := ks.addKnownHeaders(k); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// addKnownHeaders precomputes the headers Seal writes to k without cty and
// with cty "JWT" (the nested-JWT envelope), parsed by the strict parser.
func (s *KeySet) addKnownHeaders(k *PrivateKey) error {
	if k.spec.keyEnc {
		return nil // the header carries a fresh ek every time
	}
	for _, cty := range []string{"", "JWT"} {
		enc := encodeHeader(headerFields{alg: k.spec.alg, kid: k.KID(), cty: cty})
		h, err := parseHeader(enc)
		if err != nil {
			return err
		}
		s.known[enc] = h
	}
	return nil
}

// header parses an encoded protected header, from the precomputed table
// when the bytes are exactly ones Seal writes for a key of this set.
func (s *KeySet) header(encoded string) (*parsedHeader, error) {
	if s != nil {
		if h, ok := s.known[encoded]; ok {
			return h, nil
		}
	}
	return parseHeader(encoded)
}

// Primary returns the key new envelopes should be sealed to.
func (s *KeySet) Primary() *PrivateKey { return s.keys[0] }

// Lookup returns the key with this kid.
func (s *KeySet) Lookup(kid string) (*PrivateKey, bool) {
	if s == nil {
		return nil, false
	}
	k, ok := s.byKID[kid]
	return k, ok
}

// Keys returns the keys, primary first.
func (s *KeySet) Keys() []*PrivateKey { return append([]*PrivateKey(nil), s.keys...) }

// Public returns the public keys, primary first, for publishing.
func (s *KeySet) Public() *PublicKeySet {
	pubs := make([]*PublicKey, len(s.keys))
	for i, k := range s.keys {
		pubs[i] = k.Public()
	}
	ps, _ := NewPublicKeySet(pubs...) // distinct kids already checked
	return ps
}

// MarshalJSON returns the private JWKS {"keys":[...]}, primary first.
func (s *KeySet) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Keys []*PrivateKey `json:"keys"`
	}{s.keys})
}

// ParseKeySet parses a private JWKS, or a single private JWK (a set of
// one); the first key is the primary.
func ParseKeySet(jwks []byte) (*KeySet, error) {
	raws, err := decodeJWKS(jwks)
	if err != nil {
		return nil, err
	}
	keys := make([]*PrivateKey, len(raws))
	for i, raw := range raws {
		if keys[i], err = ParsePrivateJWK(raw); err != nil {
			return nil, fmt.Errorf("key %d: %w", i, err)
		}
	}
	return NewKeySet(keys[0], keys[1:]...)
}

// PublicKeySet is a receiver's published keys, primary first.
type PublicKeySet struct {
	keys    []*PublicKey
	byKID   map[string]*PublicKey
	skipped []error
}

// NewPublicKeySet returns a public key set; the first key is the primary.
func NewPublicKeySet(keys ...*PublicKey) (*PublicKeySet, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: empty key set", ErrInvalidKey)
	}
	byKID, err := keyindex.ByKID(keys, func(k *PublicKey) bool { return k.kem != nil })
	if err != nil {
		return nil, err
	}
	return &PublicKeySet{keys: append([]*PublicKey(nil), keys...), byKID: byKID}, nil
}

// Primary returns the key to seal to.
func (s *PublicKeySet) Primary() *PublicKey { return s.keys[0] }

// Lookup returns the key with this kid.
func (s *PublicKeySet) Lookup(kid string) (*PublicKey, bool) {
	if s == nil {
		return nil, false
	}
	k, ok := s.byKID[kid]
	return k, ok
}

// Keys returns the keys, primary first.
func (s *PublicKeySet) Keys() []*PublicKey { return append([]*PublicKey(nil), s.keys...) }

// MarshalJSON returns the JWKS {"keys":[...]}, primary first.
func (s *PublicKeySet) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Keys []*PublicKey `json:"keys"`
	}{s.keys})
}

// ParsePublicKeySet parses a public JWKS as a receiver publishes it, or a
// single public JWK (a set of one); its first usable key is the primary. Keys this package cannot seal to (no
// alg or an alg it does not implement, a kty or curve that does not fit
// the alg, a use other than "enc") are skipped, as RFC 7517 section 5
// asks, and Skipped says which. A malformed key fails the whole set, and
// so does a set with no usable key.
func ParsePublicKeySet(jwks []byte) (*PublicKeySet, error) {
	raws, err := decodeJWKS(jwks)
	if err != nil {
		return nil, err
	}
	keys, skipped, err := keyindex.ParsePublished(raws, ParsePublicJWK)
	if err != nil {
		return nil, err
	}
	s, err := NewPublicKeySet(keys...)
	if err != nil {
		return nil, err
	}
	s.skipped = skipped
	return s, nil
}

// Skipped returns why each key that ParsePublicKeySet left out was
// unusable, in the set's order; nil for a set built from keys.
func (s *PublicKeySet) Skipped() []error { return append([]error(nil), s.skipped...) }

// maxJWKSSize bounds a JWK or JWKS document before any parsing: room for
// MaxRecipients keys of 16 KiB each, far above the largest JWK of any alg.
const maxJWKSSize = MaxRecipients * 16 << 10

// decodeJWKS returns the keys of a JWKS or of a single JWK.
func decodeJWKS(data []byte) ([]json.RawMessage, error) {
	return keyindex.JWKs(data, maxJWKSSize)
}
