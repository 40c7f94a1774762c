// Package strict decodes the untrusted encodings of JOSE: base64url without
// padding, line breaks or spare bits, and JSON objects without duplicate
// members. The standard decoders are lenient on each of these points.
package strict

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/internal/errs"
)

var b64 = base64.RawURLEncoding.Strict()

// alphabet is the base64url alphabet (RFC 4648 section 5).
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// decodeMap maps each character of alphabet, at each of the eight places
// of two groups, to its 6 bits shifted to their place in the top 48 bits
// of a big-endian word, and every other byte to invalid, below those 48
// bits. Base64 ORs eight entries into six bytes and their error at once,
// stores the word whole, and tests the errors of the whole input once,
// instead of branching on each character as encoding/base64 does (the
// envelopes Open decodes run to kilobytes, post-quantum ones in
// particular).
var decodeMap = func() (m [8][256]uint64) {
	for place := range m {
		for c := range m[place] {
			m[place][c] = invalid
		}
		for v := range len(alphabet) {
			m[place][alphabet[v]] = uint64(v) << (58 - 6*place)
		}
	}
	return m
}()

// decodeTable is decodeMap through a variable: read once into a register,
// it lets each lookup address its place by a constant offset, where the
// table's own address costs an instruction per lookup.
var decodeTable = &decodeMap

// invalid marks a byte outside the alphabet in decodeMap.
const invalid = 1

// DecodedLen returns the decoded length of a base64url string of n bytes,
// so callers can check limits before allocating.
func DecodedLen(n int) int { return b64.DecodedLen(n) }

// Base64 decodes unpadded base64url, rejecting any other character
// (padding and line breaks included), an impossible length and
// non-canonical trailing bits: what base64.RawURLEncoding.Strict() decodes,
// less the line breaks it skips.
func Base64(s string) ([]byte, error) {
	if len(s)%4 == 1 {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	out := make([]byte, b64.DecodedLen(len(s)))
	var bad uint64
	dst, m := out, decodeTable
	// Each word is stored whole, 6 bytes and 2 the next step overwrites,
	// so these loops stop while bytes remain after the word.
	for len(s) >= 16 && len(dst) >= 14 { // four groups a turn: a quarter of the loop's own cost
		v := m[0][s[0]] | m[1][s[1]] | m[2][s[2]] | m[3][s[3]] | m[4][s[4]] | m[5][s[5]] | m[6][s[6]] | m[7][s[7]]
		w := m[0][s[8]] | m[1][s[9]] | m[2][s[10]] | m[3][s[11]] | m[4][s[12]] | m[5][s[13]] | m[6][s[14]] | m[7][s[15]]
		bad |= v | w
		binary.BigEndian.PutUint64(dst, v)
		binary.BigEndian.PutUint64(dst[6:], w)
		s, dst = s[16:], dst[12:]
	}
	for len(s) >= 8 && len(dst) >= 8 {
		v := m[0][s[0]] | m[1][s[1]] | m[2][s[2]] | m[3][s[3]] | m[4][s[4]] | m[5][s[5]] | m[6][s[6]] | m[7][s[7]]
		bad |= v
		binary.BigEndian.PutUint64(dst, v)
		s, dst = s[8:], dst[6:]
	}
	for len(s) > 4 && len(dst) > 3 {
		v := m[0][s[0]] | m[1][s[1]] | m[2][s[2]] | m[3][s[3]]
		bad |= v
		dst[0], dst[1], dst[2] = byte(v>>56), byte(v>>48), byte(v>>40)
		s, dst = s[4:], dst[3:]
	}
	switch len(s) { // the last group: 3 bytes, or 2 or 3 characters of 1 or 2
	case 4:
		v := m[0][s[0]] | m[1][s[1]] | m[2][s[2]] | m[3][s[3]]
		bad |= v
		dst[0], dst[1], dst[2] = byte(v>>56), byte(v>>48), byte(v>>40)
	case 3:
		v := m[0][s[0]] | m[1][s[1]] | m[2][s[2]]
		bad |= v | spare(v>>40&0xff) // the 2 bits past the bytes must be zero
		dst[0], dst[1] = byte(v>>56), byte(v>>48)
	case 2:
		v := m[0][s[0]] | m[1][s[1]]
		bad |= v | spare(v>>40&0xffff) // the 4 bits past the byte must be zero
		dst[0] = byte(v >> 56)
	}
	if bad&invalid != 0 {
		return nil, fmt.Errorf("%w: invalid base64url", errs.ErrMalformed)
	}
	return out, nil
}

// spare maps nonzero spare bits to an invalid entry.
func spare(bits uint64) uint64 {
	if bits != 0 {
		return invalid
	}
	return 0
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
