package strict

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// ErrDuplicate is wrapped (with errs.ErrMalformed) when an object repeats a
// member name.
var ErrDuplicate = errors.New("duplicate JSON member")

// MaxDepth bounds nesting so hostile input cannot exhaust the stack.
const MaxDepth = 32

// Object checks that data is exactly one JSON object with no duplicate
// member names at any depth, and returns its top-level member names in
// order. Callers then unmarshal with encoding/json knowing that "last one
// wins" can no longer be exploited.
func Object(data []byte) ([]string, error) {
	var names []string
	err := Members(data, func(name string, _ []byte) error {
		names = append(names, name)
		return nil
	})
	return names, err
}

// Members checks data as Object does and calls fn with the name and raw
// value of each top-level member, in order, in the same single pass. The
// checks: exactly one JSON object (RFC 8259) in valid UTF-8, no member name
// repeated in any object (names compared as encoding/json decodes them),
// nesting at most MaxDepth. An error from fn stops the scan and is returned.
func Members(data []byte, fn func(name string, value []byte) error) error {
	s := scanner{data: data}
	s.space()
	if s.peek() != '{' {
		return malformed("not a JSON object")
	}
	if err := s.object(0, fn); err != nil {
		return err
	}
	s.space()
	if s.i != len(data) {
		return malformed("trailing data after JSON object")
	}
	return nil
}

func malformed(what string) error { return fmt.Errorf("%w: %s", errs.ErrMalformed, what) }

// scanner validates JSON in one pass without building values.
type scanner struct {
	data []byte
	i    int
	sets []nameSet // member names of the object open at each depth
}

func (s *scanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c after optional whitespace.
func (s *scanner) expect(c byte, what string) error {
	s.space()
	if s.peek() != c {
		return malformed(what)
	}
	s.i++
	return nil
}

// object scans the object at s.i; fn, if any, gets its members.
func (s *scanner) object(depth int, fn func(string, []byte) error) error {
	s.i++ // '{'
	names := s.namesAt(depth)
	s.space()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		s.space()
		name, err := s.name()
		if err != nil {
			return err
		}
		if !names.add(name) {
			return fmt.Errorf("%w: %w %q", errs.ErrMalformed, ErrDuplicate, name)
		}
		if err := s.expect(':', "missing ':' after member name"); err != nil {
			return err
		}
		s.space()
		start := s.i
		if err := s.value(depth + 1); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(string(name), s.data[start:s.i]); err != nil {
				return err
			}
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return malformed("expected ',' or '}' in object")
		}
	}
}

func (s *scanner) array(depth int) error {
	s.i++ // '['
	s.space()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		s.space()
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return malformed("expected ',' or ']' in array")
		}
	}
}

func (s *scanner) value(depth int) error {
	if depth > MaxDepth {
		return malformed("JSON nested too deeply")
	}
	switch c := s.peek(); {
	case c == '{':
		return s.object(depth, nil)
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, _, err := s.str()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return malformed("invalid JSON value")
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.i:], []byte(lit)) {
		return malformed("invalid JSON literal")
	}
	s.i += len(lit)
	return nil
}

// number scans -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return malformed("invalid JSON number")
	}
	if s.peek() == '.' {
		s.i++
		if s.digits() == 0 {
			return malformed("invalid JSON number")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if s.digits() == 0 {
			return malformed("invalid JSON number")
		}
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// str scans the string at s.i and returns its raw content (between the
// quotes) and whether it has escapes. Control characters, bad escapes and
// invalid UTF-8 are refused.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	s.i++ // '"'
	start := s.i
	for s.i < len(s.data) {
		if s.i+8 <= len(s.data) && plain8(binary.LittleEndian.Uint64(s.data[s.i:])) {
			s.i += 8
			continue
		}
		switch c := s.data[s.i]; {
		case c == '"':
			s.i++
			return s.data[start : s.i-1], escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, malformed("control character in JSON string")
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, n := utf8.DecodeRune(s.data[s.i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false, malformed("invalid UTF-8 in JSON string")
			}
			s.i += n
		}
	}
	return nil, false, malformed("unterminated JSON string")
}

// plain8 reports whether none of the 8 bytes of x ends a string, starts an
// escape, is a control character or is outside ASCII: a string's bytes are
// mostly such, and 8 of them are tested in a dozen instructions, against
// a handful per byte in str's switch. Each test is the exact "has a byte
// below n" of Bit Twiddling Hacks, which has no false negatives.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := func(v uint64, n uint64) uint64 { return (v - ones*n) &^ v & highs }
	return below(x, 0x20)|below(x^(ones*'"'), 1)|below(x^(ones*'\\'), 1)|x&highs == 0
}

// escape scans one escape sequence at s.i ('\\').
func (s *scanner) escape() error {
	s.i++
	switch s.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return nil
	case 'u':
		if s.i+5 > len(s.data) {
			return malformed("bad JSON escape")
		}
		for _, h := range s.data[s.i+1 : s.i+5] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return malformed("bad JSON escape")
			}
		}
		s.i += 5
		return nil
	}
	return malformed("bad JSON escape")
}

// name scans a member name and returns it as encoding/json would decode
// it, so that "a" and "\u0061" are seen as the same name.
func (s *scanner) name() ([]byte, error) {
	if s.peek() != '"' {
		return nil, malformed("bad JSON member name")
	}
	start := s.i
	raw, escaped, err := s.str()
	if err != nil || !escaped {
		return raw, err
	}
	var decoded string
	if err := json.Unmarshal(s.data[start:s.i], &decoded); err != nil {
		return nil, malformed("bad JSON member name")
	}
	return []byte(decoded), nil
}

// namesAt returns the emptied name set for an object at depth.
func (s *scanner) namesAt(depth int) *nameSet {
	for len(s.sets) <= depth {
		s.sets = append(s.sets, nameSet{})
	}
	ns := &s.sets[depth]
	ns.list, ns.index = ns.list[:0], nil
	return ns
}

// nameSet finds repeated names: by comparison while the object is small,
// by map once it is large, so a huge object costs linear time.
type nameSet struct {
	list  [][]byte
	index map[string]struct{}
}

const nameSetLinear = 16

func (n *nameSet) add(name []byte) bool {
	if n.index != nil {
		if _, dup := n.index[string(name)]; dup {
			return false
		}
		n.index[string(name)] = struct{}{}
		return true
	}
	for _, seen := range n.list {
		if bytes.Equal(seen, name) {
			return false
		}
	}
	n.list = append(n.list, name)
	if len(n.list) > nameSetLinear {
		n.index = make(map[string]struct{}, 2*len(n.list))
		for _, seen := range n.list {
			n.index[string(seen)] = struct{}{}
		}
	}
	return true
}

// CheckNameCase refuses name if it differs from one of known only in case.
func CheckNameCase(name string, known []string, sentinel error) error {
	for _, k := range known {
		if CaseVariant(name, k) {
			return fmt.Errorf("%w: member %.32q is a case variant of %q", sentinel, name, k)
		}
	}
	return nil
}

// CaseVariant reports whether name is not k but encoding/json would read
// it as k: equal under Unicode simple folding (bytes.EqualFold), which
// also folds the long s (U+017F, two bytes) to "s" and the Kelvin sign
// (U+212A, three bytes) to "k". So the lengths may differ, up to three
// bytes for each of k's ASCII letters.
func CaseVariant(name, k string) bool {
	return len(name) >= len(k) && len(name) <= 3*len(k) && name != k && strings.EqualFold(name, k)
}
