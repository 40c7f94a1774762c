package sealjwt_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// Every key-set parser reads a single JWK as a set of one, as well as a
// JWKS, and is as strict with either: duplicate members, an object that is
// both a JWK and a JWKS, a case variant of "keys" (encoding/json would read
// it as "keys"), and input over the size cap are refused, the last before
// any parsing.
func TestKeySetParsersTakeAJWKOrAJWKS(t *testing.T) {
	sk, err := seal.GenerateKey(seal.HPKE3)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	marshal := func(m interface{ MarshalJSON() ([]byte, error) }) string {
		b, err := m.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	parsers := []struct {
		name  string
		jwk   string
		kid   string
		parse func([]byte) (kids []string, err error)
	}{
		{"seal.ParseKeySet", marshal(sk), sk.KID(), func(b []byte) ([]string, error) {
			s, err := seal.ParseKeySet(b)
			if err != nil {
				return nil, err
			}
			return []string{s.Primary().KID()}, nil
		}},
		{"seal.ParsePublicKeySet", marshal(sk.Public()), sk.KID(), func(b []byte) ([]string, error) {
			s, err := seal.ParsePublicKeySet(b)
			if err != nil {
				return nil, err
			}
			return []string{s.Primary().KID()}, nil
		}},
		{"token.ParseKeySet", marshal(tk), tk.KID(), func(b []byte) ([]string, error) {
			s, err := token.ParseKeySet(b)
			if err != nil {
				return nil, err
			}
			return []string{s.Primary().KID()}, nil
		}},
		{"token.ParseVerifyingKeySet", marshal(tk.Verifying()), tk.KID(), func(b []byte) ([]string, error) {
			s, err := token.ParseVerifyingKeySet(b)
			if err != nil {
				return nil, err
			}
			return []string{s.Keys()[0].KID()}, nil
		}},
	}
	for _, p := range parsers {
		t.Run(p.name, func(t *testing.T) {
			for _, in := range []string{p.jwk, `{"keys":[` + p.jwk + `]}`} {
				kids, err := p.parse([]byte(in))
				if err != nil || len(kids) != 1 || kids[0] != p.kid {
					t.Errorf("%.30s...: kids %v, %v; want [%s]", in, kids, err, p.kid)
				}
			}
			for _, tc := range []struct {
				name, in string
				want     error
			}{
				{"duplicate member", `{"kty":"OKP",` + p.jwk[1:], seal.ErrMalformed},
				{"JWK and JWKS at once", `{"keys":[` + p.jwk + `],"kty":"OKP"}`, seal.ErrMalformed},
				{"case variant of keys", `{"KEYS":[` + p.jwk + `]}`, seal.ErrMalformed},
				{"neither", `{"kid":"x"}`, seal.ErrMalformed},
				{"empty set", `{"keys":[]}`, seal.ErrMalformed},
				{"not an object", `[` + p.jwk + `]`, seal.ErrMalformed},
				{"over the cap", `{"keys":[` + p.jwk + `],"pad":"` + string(bytes.Repeat([]byte("a"), 1<<20)) + `"}`, seal.ErrTooLarge},
			} {
				if _, err := p.parse([]byte(tc.in)); !errors.Is(err, tc.want) {
					t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
				}
			}
		})
	}
}
