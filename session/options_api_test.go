package session

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// A cross-origin check given with WithCrossOriginProtection replaces the
// default: an origin it trusts may post with the user's cookies, and any
// other cross-site origin is still refused.
func TestWithCrossOriginProtectionTrustsItsOrigins(t *testing.T) {
	p := http.NewCrossOriginProtection()
	if err := p.AddTrustedOrigin("https://app.example"); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, newManager(t, newClock(), WithCrossOriginProtection(p)))
	b := a.browser(t)
	login(t, a, b)
	resp := a.post(t, b, "/api/me", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://app.example")
	wantStatus(t, resp, http.StatusOK)
	resp = a.post(t, b, "/api/me", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	problemOf(t, resp, http.StatusForbidden)
}

// WithSessionLifetime bounds a family from login, and a session lifetime
// shorter than the access token's is a configuration error.
func TestWithSessionLifetimeBoundsTheFamily(t *testing.T) {
	if _, err := NewManager(apiID, signingKeys(t), WithAccessTokenLifetime(10*time.Minute), WithSessionLifetime(5*time.Minute)); !errors.Is(err, ErrConfig) {
		t.Fatalf("session shorter than its access token: %v, want ErrConfig", err)
	}
	clk := newClock()
	a := newApp(t, newManager(t, clk, WithSessionLifetime(time.Hour), WithIdleTimeout(time.Hour)))
	b := a.browser(t)
	login(t, a, b)
	clk.Advance(59 * time.Minute)
	wantStatus(t, a.post(t, b, DefaultRefreshPath, nil), http.StatusOK)
	clk.Advance(2 * time.Minute)
	if p := problemOf(t, a.post(t, b, DefaultRefreshPath, nil), http.StatusBadRequest); p.Title != "session expired" {
		t.Fatalf("refresh past the session lifetime: %+v", p)
	}
}
