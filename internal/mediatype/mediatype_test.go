package mediatype

import "testing"

// TestEqualRFC7515 follows RFC 7515 section 4.1.9: case-insensitive, and
// "application/" implied for a value without a slash.
func TestEqualRFC7515(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"seal+jwt", "seal+jwt", true},
		{"application/seal+jwt", "seal+jwt", true},
		{"Application/SEAL+JWT", "seal+jwt", true},
		{"JWT", "jwt", true},
		{"application/jwt", "JWT", true},
		{"text/jwt", "JWT", false},
		{"seal+jwt", "jwt", false},
		{"applicationseal+jwt", "seal+jwt", false},
		{"", "JWT", false},
	} {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
