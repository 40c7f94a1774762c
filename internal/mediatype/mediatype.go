// Package mediatype compares the media types of the JOSE "typ" and "cty"
// header parameters as RFC 7515 sections 4.1.9 and 4.1.10 define them.
package mediatype

import "strings"

// Equal reports whether two typ or cty values name the same media type:
// names are compared ignoring ASCII case (RFC 2045), and a value without
// a "/" stands for the same value prefixed with "application/".
func Equal(a, b string) bool { return strings.EqualFold(full(a), full(b)) }

func full(v string) string {
	if strings.Contains(v, "/") {
		return v
	}
	return "application/" + v
}
