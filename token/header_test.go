package token

import (
	"errors"
	"strings"
	"testing"
)

// TestTypRFC7515Forms accepts every spelling of the token type that
// RFC 7515 section 4.1.9 makes equal to Type.
func TestTypRFC7515Forms(t *testing.T) {
	k := testKey(t, EdDSA)
	v := newTestVerifier(t, []*SigningKey{k})
	for _, typ := range []string{Type, "SEAL+JWT", "application/" + Type, "Application/Seal+JWT"} {
		tok := forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+typ+`"}`, goodClaims(t, nil), k)
		if _, err := v.Verify(tok); err != nil {
			t.Errorf("typ %q: %v", typ, err)
		}
	}
	for _, typ := range []string{"text/" + Type, "application/jwt", "application/seal+jwt; x=1"} {
		tok := forge(t, `{"alg":"EdDSA","kid":"`+k.kid+`","typ":"`+typ+`"}`, goodClaims(t, nil), k)
		if _, err := v.Verify(tok); !errors.Is(err, ErrMalformed) {
			t.Errorf("typ %q: got %v, want ErrMalformed", typ, err)
		}
	}
}

// TestHeaderErrorsNameTheMember checks that a refused header says which
// member is missing or of the wrong JSON type, and what it was instead.
func TestHeaderErrorsNameTheMember(t *testing.T) {
	k := testKey(t, EdDSA)
	v := newTestVerifier(t, []*SigningKey{k})
	kid := `"kid":"` + k.kid + `"`
	for header, want := range map[string]string{
		`{"alg":"EdDSA",` + kid + `}`:                      `header has no "typ"`,
		`{"typ":"` + Type + `",` + kid + `}`:               `header has no "alg"`,
		`{"alg":"EdDSA","typ":"` + Type + `"}`:             `header has no "kid"`,
		`{"alg":"EdDSA",` + kid + `,"typ":1}`:              `header "typ" is a number, want a string`,
		`{"alg":null,` + kid + `,"typ":"` + Type + `"}`:    `header "alg" is null, want a string`,
		`{"alg":"EdDSA","kid":["a"],"typ":"` + Type + `"}`: `header "kid" is an array, want a string`,
		`{"alg":"EdDSA","kid":true,"typ":"` + Type + `"}`:  `header "kid" is a boolean, want a string`,
		`{"alg":"EdDSA","kid":"","typ":"` + Type + `"}`:    `kid must be 1 to 256 bytes, got 0`,
		`{"alg":"EdDSA",` + kid + `,"typ":"JWT"}`:          `typ "JWT", want "seal+jwt"`,
		`{"alg":"EdDSA",` + kid + `,"typ":{"a":"b"}}`:      `header "typ" is an object, want a string`,
	} {
		_, err := v.Verify(forge(t, header, goodClaims(t, nil), k))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want ErrMalformed saying %s", header, err, want)
		}
	}
}

// TestClaimErrorsSayExpectedAndFound checks that time, audience and issuer
// refusals show the token's values and what was expected.
func TestClaimErrorsSayExpectedAndFound(t *testing.T) {
	k := testKey(t, EdDSA)
	v := newTestVerifier(t, []*SigningKey{k})
	now := testNow.Unix()
	for _, c := range []struct {
		over map[string]any
		want error
		says []string
	}{
		{map[string]any{"iat": now - 400, "exp": now - 100}, ErrExpired,
			[]string{"exp 2023-11-14T22:11:40Z", "now 2023-11-14T22:13:20Z", "leeway 30s"}},
		{map[string]any{"aud": "someone-else"}, ErrAudience, []string{`["someone-else"]`, `does not name "` + testAudience + `"`}},
		{map[string]any{"nbf": now + 3600}, ErrNotYetValid, []string{"nbf 2023-11-14T23:13:20Z", "now 2023-11-14T22:13:20Z"}},
		{map[string]any{"iss": "https://other.example"}, ErrIssuer, []string{`iss "https://other.example"`, `trusted for "` + testIssuer + `"`}},
	} {
		_, err := v.Verify(forge(t, hdr(k), goodClaims(t, c.over), k))
		if !errors.Is(err, c.want) {
			t.Errorf("%v: got %v, want %v", c.over, err, c.want)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%v: %q does not say %q", c.over, err, s)
			}
		}
	}
}
