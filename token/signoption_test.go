package token

import (
	"errors"
	"strings"
	"testing"
)

func TestSignOptions(t *testing.T) {
	k := testKey(t, EdDSA)
	s := newTestSigner(t, k)
	v := newTestVerifier(t, []*SigningKey{k})
	tok, err := s.Sign(testAudience, map[string]any{"app": 1}, WithID("order-17"), WithStringClaim("rkt", "thumb"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		RKT string `json:"rkt"`
		App int    `json:"app"`
	}
	if err := got.Decode(&c); err != nil || got.ID != "order-17" || c.RKT != "thumb" || c.App != 1 {
		t.Fatalf("jti %q, claims %+v: %v", got.ID, c, err)
	}
	if a, b := NewID(), NewID(); len(a) != 22 || a == b {
		t.Fatalf("NewID gave %q then %q, want two distinct 22-character ids", a, b)
	}
	for name, opts := range map[string][]SignOption{
		"empty jti":            {WithID("")},
		"jti with a quote":     {WithID(`a"b`)},
		"jti too long":         {WithID(strings.Repeat("a", 257))},
		"registered claim":     {WithStringClaim("exp", "1")},
		"case of a registered": {WithStringClaim("Exp", "1")},
		"empty name":           {WithStringClaim("", "1")},
		"the same claim twice": {WithStringClaim("rkt", "a"), WithStringClaim("rkt", "b")},
	} {
		if _, err := s.Sign(testAudience, nil, opts...); !errors.Is(err, ErrClaims) {
			t.Errorf("%s: err = %v, want ErrClaims", name, err)
		}
	}
	if _, err := s.Sign(testAudience, map[string]any{"rkt": "mine"}, WithStringClaim("rkt", "thumb")); !errors.Is(err, ErrClaims) {
		t.Errorf("application claim of an added name: err = %v, want ErrClaims", err)
	}
}
