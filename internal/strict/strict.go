// Package strict decodes the untrusted encodings of JOSE: base64url without
// padding, line breaks or spare bits, and JSON objects without duplicate
// members. The standard decoders are lenient on each of these points.
package strict

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt/internal/errs"
)

var b64 = base64.RawURLEncoding.Strict()

// isB64 reports whether every byte is in the base64url alphabet.
// encoding/base64 silently skips '\r' and '\n', so they are refused here.
func isB64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DecodedLen returns the decoded length of a base64url string of n bytes,
// so callers can check limits before allocating.
func DecodedLen(n int) int { return b64.DecodedLen(n) }

// Base64 decodes unpadded base64url, rejecting any other character and
// non-canonical trailing bits.
func Base64(s string) ([]byte, error) {
	if !isB64(s) {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	out := make([]byte, b64.DecodedLen(len(s)))
	n, err := b64.Decode(out, []byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	return out[:n], nil
}

// Base64Into decodes like Base64 into dst, which must be large enough
// (DecodedLen); it returns the number of bytes written.
func Base64Into(dst []byte, s string) (int, error) {
	if !isB64(s) || len(dst) < b64.DecodedLen(len(s)) {
		return 0, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	n, err := b64.Decode(dst, []byte(s))
	if err != nil {
		return 0, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	return n, nil
}

// Encode returns unpadded base64url.
func Encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ErrDuplicate is wrapped (with errs.ErrMalformed) when an object repeats a
// member name.
var ErrDuplicate = errors.New("duplicate JSON member")

// Object checks that data is exactly one JSON object with no duplicate
// member names at any depth, and returns its top-level member names in
// order. Callers then unmarshal with encoding/json knowing that "last one
// wins" can no longer be exploited.
func Object(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", errs.ErrMalformed)
	}
	keys, err := walkObject(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after JSON object", errs.ErrMalformed)
	}
	return keys, nil
}

// MaxDepth bounds nesting so hostile input cannot exhaust the stack.
const MaxDepth = 32

// walkObject consumes an object whose '{' was already read.
func walkObject(dec *json.Decoder, depth int) ([]string, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: JSON nested too deeply", errs.ErrMalformed)
	}
	var keys []string
	seen := make(map[string]struct{})
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errs.ErrMalformed, err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%w: bad JSON member name", errs.ErrMalformed)
		}
		if _, dup := seen[name]; dup {
			return nil, fmt.Errorf("%w: %w %q", errs.ErrMalformed, ErrDuplicate, name)
		}
		seen[name] = struct{}{}
		if depth == 0 {
			keys = append(keys, name)
		}
		if err := walkValue(dec, depth+1); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, fmt.Errorf("%w: %v", errs.ErrMalformed, err)
	}
	return keys, nil
}

func walkValue(dec *json.Decoder, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: JSON nested too deeply", errs.ErrMalformed)
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", errs.ErrMalformed, err)
	}
	switch tok {
	case json.Delim('{'):
		_, err := walkObject(dec, depth)
		return err
	case json.Delim('['):
		for dec.More() {
			if err := walkValue(dec, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%w: %v", errs.ErrMalformed, err)
		}
	}
	return nil
}
