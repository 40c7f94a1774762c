package session

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
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
	f.Add(strings.Repeat(".", refreshTokenLen))
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
	if err != nil || id != rec.ID || h != rec.Hash || rec.FamilyID != "fam" || len(tok) != refreshTokenLen || refreshTokenLen != 66 {
		t.Fatalf("token %q: %v", tok, err)
	}
	if strings.Contains(tok, string(rec.Hash[:])) {
		t.Fatal("the token holds its own hash")
	}
}

// FuzzRequest sends arbitrary credentials to the middleware and the
// refresh endpoint: every answer is one of the documented statuses, with
// problem+json, and nothing panics.
func FuzzRequest(f *testing.F) {
	m, err := NewManager(apiID, signingKeys(f), WithDelivery(DeliverPerRequest))
	if err != nil {
		f.Fatal(err)
	}
	tokens, _ := m.Login(context.Background(), Grant{Subject: "alice"})
	f.Add("Bearer "+tokens.Access, "", "", "")
	f.Add("bearer  "+tokens.Access+" ", tokens.Access, "x", "grant_type=refresh_token&refresh_token="+tokens.Refresh)
	f.Add("Basic x", "", tokens.Access, "refresh_token="+tokens.Refresh[:20])
	f.Add("", "", "", "refresh_token=%zz&grant_type=password")
	api := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	refresh := m.RefreshHandler()
	f.Fuzz(func(t *testing.T, auth, tokenHeader, cookieValue, form string) {
		req := httptest.NewRequest(http.MethodGet, "https://api.example/api", nil)
		req.Header.Set("Authorization", auth)
		req.Header.Set(TokenHeader, tokenHeader)
		req.Header.Set("Cookie", AccessCookie+"="+cookieValue)
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code != http.StatusOK && (w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != "application/problem+json") {
			t.Fatalf("middleware answered %d %q", w.Code, w.Header().Get("Content-Type"))
		}
		req = httptest.NewRequest(http.MethodPost, "https://api.example"+DefaultRefreshPath, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", RefreshCookie+"="+cookieValue)
		w = httptest.NewRecorder()
		refresh.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("refresh answered %d", w.Code)
		}
	})
}
