package token

import (
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// JWS is a compact JWS whose signature verified. Its payload is whatever
// was signed: VerifyJWS reads no claims.
type JWS struct {
	Alg     Alg    // the verifying key's alg
	KID     string // the verifying key's kid
	Typ     string // the header's typ, empty if absent
	Cty     string // the header's cty, empty if absent
	Payload []byte
}

// VerifyJWS verifies a compact JWS (RFC 7515) whose payload need not be a
// JWT: a signed document, or the examples of RFC 9964. It parses as
// strictly as Verifier.Verify: at most 64 KiB; exactly three
// segments of unpadded canonical base64url; a header that is one JSON
// object without duplicate members, holding only "alg" and "kid" (both
// required strings) and optionally "typ" and "cty" (so "crit", "b64",
// "jku", "jwk", "x5u", "x5c" and "zip" are refused); the key that "kid"
// names in keys; and an "alg" equal, byte for byte, to that key's.
//
// It checks no claims, no lifetime and no replay. Where a payload type
// matters, check Typ or Cty (RFC 7515 compares them ignoring case, with
// "application/" implied), so that one kind of signed object cannot pass
// for another.
func VerifyJWS(jws string, keys *VerifyingKeySet) (*JWS, error) {
	hseg, pseg, sseg, err := splitCompact(jws, defaultMaxSize)
	if err != nil {
		return nil, err
	}
	h, err := parseHeaderMembers(hseg, allowedJWSHeader, allowedJWSHeader[:2])
	if err != nil {
		return nil, err
	}
	key, ok := keys.Lookup(h.kid)
	if !ok {
		return nil, fmt.Errorf("%w: no key has kid %.64q", ErrUnknownKey, h.kid)
	}
	if h.alg != string(key.alg) {
		return nil, fmt.Errorf("%w: header alg %.32q is not %s, the alg of key %.64q", ErrSignature, h.alg, key.alg, h.kid)
	}
	payload, err := strict.Base64(pseg)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if err := key.verifySignature(jws[:len(hseg)+1+len(pseg)], sseg); err != nil {
		return nil, err
	}
	return &JWS{Alg: key.alg, KID: key.kid, Typ: h.typ, Cty: h.cty, Payload: payload}, nil
}
