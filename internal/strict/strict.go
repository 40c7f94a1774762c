// Package strict decodes the untrusted encodings of JOSE: base64url without
// padding, line breaks or spare bits, and JSON objects without duplicate
// members. The standard decoders are lenient on each of these points.
package strict

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/internal/errs"
)

var b64 = base64.RawURLEncoding.Strict()

// noLineBreaks reports whether s can be handed to the decoder:
// encoding/base64 silently skips '\r' and '\n', so they are refused here;
// every other character outside the alphabet (padding included) the strict
// decoder refuses itself.
func noLineBreaks(s string) bool {
	return strings.IndexByte(s, '\n') < 0 && strings.IndexByte(s, '\r') < 0
}

// DecodedLen returns the decoded length of a base64url string of n bytes,
// so callers can check limits before allocating.
func DecodedLen(n int) int { return b64.DecodedLen(n) }

// Base64 decodes unpadded base64url, rejecting any other character and
// non-canonical trailing bits.
func Base64(s string) ([]byte, error) {
	if !noLineBreaks(s) {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	out := make([]byte, b64.DecodedLen(len(s)))
	n, err := b64.Decode(out, []byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	return out[:n], nil
}

// Encode returns unpadded base64url.
func Encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
