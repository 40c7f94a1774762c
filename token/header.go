package token

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt/internal/strict"
)

const (
	// maxKIDLen bounds the kid looked up; thumbprints are 43 bytes.
	maxKIDLen = 256
	// maxHeaderSegment bounds the encoded header: alg, typ and a kid of
	// at most maxKIDLen, with room for JSON escapes.
	maxHeaderSegment = 2048
)

// header is the JOSE header of a token: exactly alg, typ and kid (typ
// and kid are empty when absent, which only WithTutorialCompat allows),
// and in a plain JWS also cty.
type header struct{ alg, typ, kid, cty string }

// allowedHeader lists the only header parameters accepted in a token, all
// of them required. Everything else is refused, in particular crit (we
// implement no extension), jku, jwk, x5u and x5c (keys never come from the
// token), zip and cty.
var allowedHeader = []string{"alg", "typ", "kid"}

// allowedJWSHeader lists the header parameters of a plain JWS (VerifyJWS):
// alg and kid are required, typ and cty optional.
var allowedJWSHeader = []string{"alg", "kid", "typ", "cty"}

// parseHeader parses a token header; with optional (WithTutorialCompat)
// only alg is required.
func parseHeader(seg string, optional bool) (*header, error) {
	if optional {
		return parseHeaderMembers(seg, allowedHeader, allowedHeader[:1])
	}
	return parseHeaderMembers(seg, allowedHeader, allowedHeader)
}

// parseHeaderMembers strictly decodes a header holding only allowed
// members, all of required among them, each a string.
func parseHeaderMembers(seg string, allowed, required []string) (*header, error) {
	if len(seg) > maxHeaderSegment {
		return nil, fmt.Errorf("%w: header of %d bytes", ErrMalformed, len(seg))
	}
	data, err := strict.Base64(seg)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	names, err := strict.Object(data)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			return nil, fmt.Errorf("%w: header parameter %.32q is not allowed", ErrUnsupported, n)
		}
	}
	var w struct {
		Alg json.RawMessage `json:"alg"`
		Typ json.RawMessage `json:"typ"`
		Kid json.RawMessage `json:"kid"`
		Cty json.RawMessage `json:"cty"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	var h header
	for _, m := range []struct {
		name string
		raw  json.RawMessage
		to   *string
	}{{"alg", w.Alg, &h.alg}, {"typ", w.Typ, &h.typ}, {"kid", w.Kid, &h.kid}, {"cty", w.Cty, &h.cty}} {
		if m.raw == nil && !slices.Contains(required, m.name) {
			continue
		}
		if m.raw == nil {
			return nil, fmt.Errorf("%w: header has no %q (%s are required)", ErrMalformed, m.name, strings.Join(required, ", "))
		}
		if err := headerString(m.name, m.raw, m.to); err != nil {
			return nil, err
		}
	}
	if (w.Kid != nil && len(h.kid) == 0) || len(h.kid) > maxKIDLen {
		return nil, fmt.Errorf("%w: kid must be 1 to %d bytes, got %d", ErrMalformed, maxKIDLen, len(h.kid))
	}
	return &h, nil
}

// headerString decodes one string member of the header, saying which
// member is of which JSON type instead.
func headerString(name string, raw json.RawMessage, to *string) error {
	if raw[0] != '"' {
		return fmt.Errorf("%w: header %q is %s, want a string", ErrMalformed, name, jsonKind(raw))
	}
	if err := json.Unmarshal(raw, to); err != nil {
		return fmt.Errorf("%w: header %q: %v", ErrMalformed, name, err)
	}
	return nil
}

// jsonKind names the JSON type of a valid, non-string JSON value.
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a number"
}
