package transport

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt"
)

// Sealed header fields travel as an RFC 9292 (Binary HTTP) Known-Length
// Field Section: a variable-length integer (RFC 9000 section 16) giving the
// length in bytes of the field lines that follow, each field line being
// the name's length, the name (lowercase), the value's length and the
// value. docs/PROTOCOL.md section 4.5 shows one byte by byte.

// maxFieldSection caps a sealed field section, checked before allocation.
const maxFieldSection = 64 << 10

// ErrHeaderConflict is wrapped when a request carries, unsealed, a header
// that it also carries sealed, with another value.
var ErrHeaderConflict = fmt.Errorf("%w: unsealed header differs from the sealed one", sealjwt.ErrMalformed)

// unsealable are the fields that describe one hop or the framing of the
// wire message, never the application's message: they are not sealed, and
// a sealed section holding one is malformed (RFC 9110 section 7.6.1).
var unsealable = []string{"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}

// sealableRequestField reports whether a request header named name (in
// lowercase) travels sealed. Authorization carries the envelope and the
// plaintext Content-Type its own claim (hct).
func sealableRequestField(name string) bool {
	return sealableField(name) && name != "authorization" && name != "content-type"
}

// sealableField reports whether a response header travels sealed.
func sealableField(name string) bool {
	return !slices.Contains(unsealable, name) && !strings.HasPrefix(name, "sealed-")
}

// appendFieldSection appends the fields of h that keep says to seal, names
// in lowercase and sorted, values in their order, as a Known-Length Field
// Section.
func appendFieldSection(b []byte, h http.Header, keep func(string) bool) []byte {
	names := make([]string, 0, len(h))
	for name := range h {
		if lower := strings.ToLower(name); keep(lower) && len(h[name]) > 0 {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	var lines []byte
	for _, name := range names {
		for _, v := range h[name] {
			lines = appendVarint(lines, uint64(len(name)))
			lines = append(lines, strings.ToLower(name)...)
			lines = appendVarint(lines, uint64(len(v)))
			lines = append(lines, v...)
		}
	}
	b = appendVarint(b, uint64(len(lines)))
	return append(b, lines...)
}

// parseFieldSection reads one Known-Length Field Section from the start of
// data and returns its fields and the bytes after it. Every name must be a
// lowercase token that keep accepts, every value a valid field value.
func parseFieldSection(data []byte, keep func(string) bool) (http.Header, []byte, error) {
	n, data, err := splitVarint(data)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(data)) || n > maxFieldSection {
		return nil, nil, fmt.Errorf("%w: field section of %d bytes", sealjwt.ErrMalformed, n)
	}
	h, err := parseFieldLines(data[:n], keep)
	return h, data[n:], err
}

// readFieldSection reads one Known-Length Field Section from r, checking
// its length before allocating.
func readFieldSection(r io.Reader, keep func(string) bool) (http.Header, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:1]); err != nil {
		return nil, fieldReadError(err)
	}
	size := 1 << (b[0] >> 6)
	if _, err := io.ReadFull(r, b[1:size]); err != nil {
		return nil, fieldReadError(err)
	}
	n, _, _ := splitVarint(b[:size])
	if n > maxFieldSection {
		return nil, fmt.Errorf("%w: field section of %d bytes", sealjwt.ErrMalformed, n)
	}
	lines := make([]byte, n)
	if _, err := io.ReadFull(r, lines); err != nil {
		return nil, fieldReadError(err)
	}
	return parseFieldLines(lines, keep)
}

func fieldReadError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: sealed field section cut short", sealjwt.ErrMalformed)
	}
	return err
}

func parseFieldLines(data []byte, keep func(string) bool) (http.Header, error) {
	h := http.Header{}
	for len(data) > 0 {
		var name, value []byte
		var err error
		if name, data, err = splitPrefixed(data); err != nil {
			return nil, err
		}
		if value, data, err = splitPrefixed(data); err != nil {
			return nil, err
		}
		if !validFieldName(name) || !keep(string(name)) {
			return nil, fmt.Errorf("%w: sealed field name %q", sealjwt.ErrMalformed, clip(string(name)))
		}
		if !validFieldValue(value) {
			return nil, fmt.Errorf("%w: sealed field %q has an invalid value", sealjwt.ErrMalformed, name)
		}
		key := http.CanonicalHeaderKey(string(name))
		h[key] = append(h[key], string(value))
	}
	return h, nil
}

// splitPrefixed splits a length-prefixed string off data.
func splitPrefixed(data []byte) ([]byte, []byte, error) {
	n, data, err := splitVarint(data)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(data)) {
		return nil, nil, fmt.Errorf("%w: field line runs past its section", sealjwt.ErrMalformed)
	}
	return data[:n], data[n:], nil
}

// appendVarint appends v as an RFC 9000 variable-length integer, in the
// shortest form (v < 2^62).
func appendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return append(b, 0x40|byte(v>>8), byte(v))
	case v < 1<<30:
		return append(b, 0x80|byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return append(b, 0xc0|byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// splitVarint reads an RFC 9000 variable-length integer off data: the two
// high bits of the first byte give its size, 1, 2, 4 or 8 bytes. Like RFC
// 9292, it accepts a longer form than needed.
func splitVarint(data []byte) (uint64, []byte, error) {
	if len(data) == 0 {
		return 0, nil, fmt.Errorf("%w: field section cut short", sealjwt.ErrMalformed)
	}
	size := 1 << (data[0] >> 6)
	if len(data) < size {
		return 0, nil, fmt.Errorf("%w: field section cut short", sealjwt.ErrMalformed)
	}
	v := uint64(data[0] & 0x3f)
	for _, c := range data[1:size] {
		v = v<<8 | uint64(c)
	}
	return v, data[size:], nil
}

// validFieldName accepts a non-empty RFC 9110 token in lowercase, as RFC
// 9292 requires of field names.
func validFieldName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c >= 'A' && c <= 'Z' || c >= 0x80 || !strings.ContainsRune("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz", rune(c)) {
			return false
		}
	}
	return true
}

// validFieldValue accepts an RFC 9110 field value: visible characters,
// obs-text, spaces and tabs, no surrounding whitespace.
func validFieldValue(v []byte) bool {
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return len(v) == 0 || v[0] != ' ' && v[0] != '\t' && v[len(v)-1] != ' ' && v[len(v)-1] != '\t'
}
