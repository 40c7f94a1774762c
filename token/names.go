package token

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// maxReadClaims bounds the claims one Verifier reads by name, so that a
// Verified holds their values without allocating.
const maxReadClaims = 8

// claimNames are the application claims a Verifier reads by name and
// those it refuses (ForClaims).
type claimNames struct {
	read    []string
	refused []string
	lower   bool // every name is of lower-case ASCII (lowerASCII)
}

// read holds the raw JSON values of the claims read by name, in the order
// of names.read; a nil value is a claim the token does not hold.
type read struct {
	names  *claimNames
	values [maxReadClaims][]byte
}

// ForClaims returns a Verifier like v (sharing v's trusted keys, as
// ForType does) that also reads each claim named in read, matching its
// name byte for byte in the one strict pass that checks the payload
// (Verified.Claim), and refuses a token holding a claim named in refused.
// A member that is not one of these names, nor a registered claim's, but
// equal to one ignoring case (as encoding/json matches names: "RKT",
// "Rkt", "ſcope"), is refused too, so that no decoder can take it for the
// claim read here. The names add to those v already reads and refuses; at
// most 8 are read; registered claims are always read and cannot be named.
func (v *Verifier) ForClaims(read, refused []string) (*Verifier, error) {
	n := &claimNames{}
	if v.names != nil {
		n.read, n.refused = slices.Clone(v.names.read), slices.Clone(v.names.refused)
	}
	for _, name := range slices.Concat(read, refused) {
		if err := n.checkNew(name); err != nil {
			return nil, err
		}
		if slices.Contains(read, name) {
			n.read = append(n.read, name)
		} else {
			n.refused = append(n.refused, name)
		}
	}
	n.lower = !slices.ContainsFunc(slices.Concat(n.read, n.refused), func(k string) bool { return !lowerASCII(k) })
	if len(n.read) > maxReadClaims {
		return nil, fmt.Errorf("%w: a verifier reads at most %d claims by name", ErrConfig, maxReadClaims)
	}
	c := *v
	c.names = n
	return &c, nil
}

// checkNew refuses a name that is empty, registered, or (ignoring case)
// already read or refused.
func (n *claimNames) checkNew(name string) error {
	for _, k := range slices.Concat(registeredNames, n.read, n.refused) {
		if name == "" || strings.EqualFold(name, k) {
			return fmt.Errorf("%w: claim name %q is empty, registered or named twice", ErrConfig, name)
		}
	}
	return nil
}

// match records value if name is a claim read by name, and refuses a
// refused claim or, when fold, a case variant of either kind (without
// fold, name is known to be no case variant of any of them).
func (n *claimNames) match(name string, value []byte, r *read, fold bool) error {
	for i, k := range n.read {
		if name == k {
			r.values[i] = value
			return nil
		}
		if fold && strict.CaseVariant(name, k) {
			return fmt.Errorf("%w: member %.32q is a case variant of %q", ErrClaims, name, k)
		}
	}
	for _, k := range n.refused {
		if name == k || fold && strict.CaseVariant(name, k) {
			return fmt.Errorf("%w: claim %.32q is reserved: not allowed in a token of this kind", ErrClaims, name)
		}
	}
	return nil
}

// Claim returns the raw JSON value of the claim name, or nil if the token
// does not hold it. The name is matched byte for byte. It is an ErrConfig
// error to ask for a claim that the Verifier did not read by name
// (ForClaims): whether the token holds it is then not known.
func (t *Verified) Claim(name string) ([]byte, error) {
	if t.read.names != nil {
		if i := slices.Index(t.read.names.read, name); i >= 0 {
			return t.read.values[i], nil
		}
	}
	return nil, fmt.Errorf("%w: claim %q is not read by this verifier (ForClaims)", ErrConfig, name)
}

// StringClaim returns the claim name (see Claim) as a string; ok is false
// if the token does not hold it or holds null. A claim of another JSON
// type is an ErrClaims error saying which.
func (t *Verified) StringClaim(name string) (s string, ok bool, err error) {
	raw, err := t.Claim(name)
	if err != nil || absent(raw) {
		return "", false, err
	}
	if raw[0] != '"' {
		return "", false, fmt.Errorf("%w: claim %q is %s, want a string", ErrClaims, name, jsonKind(raw))
	}
	s, err = jsonString(raw)
	return s, err == nil, err
}

// lowerASCII reports whether name holds no upper-case ASCII letter and no
// byte beyond ASCII. Two such names are equal under Unicode case folding
// only if they are equal: the letters that fold to ASCII ones (the Kelvin
// sign, the long s) are not ASCII.
func lowerASCII(name string) bool {
	for i := range len(name) {
		if c := name[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}
