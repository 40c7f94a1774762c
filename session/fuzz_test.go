package session

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// FuzzParseRefresh: any input either parses into an id and a hash that
// a canonical token of the same id and secret reproduces, or is refused
// with ErrInvalidRefresh; nothing panics.
func FuzzParseRefresh(f *testing.F) {
	tok, _ := newRefresh("")
	f.Add(tok)
	f.Add(strings.Replace(tok, ".", "", 1) + "A")
	f.Add(tok[:len(tok)-1] + "=")
	f.Add(strings.Repeat(".", RefreshTokenLen))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, h, err := parseRefresh(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidRefresh) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		gotID, secret, _ := strings.Cut(s, ".")
		raw, err := strict.Base64(secret)
		if gotID != id || err != nil || sha256.Sum256(raw) != h || strict.Encode(raw) != secret || len(raw) != refreshSecretSize {
			t.Fatalf("accepted %q as id %q", s, id)
		}
	})
}

func TestRefreshTokenFormat(t *testing.T) {
	tok, rec := newRefresh("fam")
	id, h, err := parseRefresh(tok)
	if err != nil || id != rec.ID || h != rec.Hash || rec.FamilyID != "fam" || len(tok) != RefreshTokenLen || RefreshTokenLen != 66 {
		t.Fatalf("token %q: %v", tok, err)
	}
	if strings.Contains(tok, string(rec.Hash[:])) {
		t.Fatal("the token holds its own hash")
	}
}
