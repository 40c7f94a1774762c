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

// Split cuts a compact serialization (RFC 7515 section 7.1, RFC 7516
// section 7.1) at its dots into dst and returns the number of segments.
// It stops at len(dst)+1, so that a run of dots of any length costs one
// pass and no allocation: a caller expecting n segments passes a dst of n
// and refuses any other count.
func Split(s string, dst []string) int {
	for n := 0; ; n++ {
		if n == len(dst) {
			return n + 1
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			dst[n] = s
			return n + 1
		}
		dst[n], s = s[:i], s[i+1:]
	}
}

// EncodedLen returns the base64url length of n bytes.
func EncodedLen(n int) int { return b64.EncodedLen(n) }
