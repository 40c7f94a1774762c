package keyindex

import (
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/errs"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// setOrKey are the members that tell a JWKS from a JWK.
var setOrKey = []string{"keys", "kty"}

// JWKs returns the keys of data, which is either a JWK Set (RFC 7517
// section 5: the members of its "keys" array, which must not be empty) or
// a single JWK (an object with "kty" and no "keys"), so that every key-set
// reader takes both. data is checked before any parsing against maxSize,
// then strictly: one JSON object, no member named twice, no case variant of
// "keys" or "kty" (encoding/json would read it as the member), and not both
// members at once. The keys themselves are left to the caller's JWK parser.
func JWKs(data []byte, maxSize int) ([]json.RawMessage, error) {
	if len(data) > maxSize {
		return nil, fmt.Errorf("%w: JWK or JWKS of %d bytes exceeds %d", errs.ErrTooLarge, len(data), maxSize)
	}
	names, err := strict.Object(data)
	if err != nil {
		return nil, err
	}
	var set, single bool
	for _, n := range names {
		if err := strict.CheckNameCase(n, setOrKey, errs.ErrMalformed); err != nil {
			return nil, err
		}
		set = set || n == "keys"
		single = single || n == "kty"
	}
	switch {
	case set && single:
		return nil, fmt.Errorf("%w: an object with both \"keys\" (a JWKS) and \"kty\" (a JWK)", errs.ErrMalformed)
	case single:
		return []json.RawMessage{data}, nil
	case !set:
		return nil, fmt.Errorf("%w: neither a JWKS (no \"keys\") nor a JWK (no \"kty\")", errs.ErrMalformed)
	}
	var s struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: JWKS: %v", errs.ErrMalformed, err)
	}
	if len(s.Keys) == 0 {
		return nil, fmt.Errorf("%w: JWKS has no keys", errs.ErrMalformed)
	}
	return s.Keys, nil
}
