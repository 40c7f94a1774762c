package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/observetest"
)

func login(t *testing.T, a *app, c *http.Client, hdr ...string) *http.Response {
	t.Helper()
	resp := a.post(t, c, "/auth/login", url.Values{"user": {"alice"}}, hdr...)
	wantStatus(t, resp, http.StatusOK)
	return resp
}

// The browser flow: login sets both cookies with the attributes that keep
// them from script, from other sites and from plain http; the API answers
// with the access cookie, again and again until it expires; a refresh
// rotates both; logout clears both and ends the session.
func TestBrowserSessionCookies(t *testing.T) {
	clk := newClock()
	ev := &observetest.Recorder{}
	a := newApp(t, newManager(t, clk, WithObserver(ev)))
	b := a.browser(t)
	resp := login(t, a, b)

	access, refresh := cookie(resp, AccessCookie), cookie(resp, RefreshCookie)
	if access == nil || refresh == nil {
		t.Fatalf("login set %v, want %s and %s", resp.Cookies(), AccessCookie, RefreshCookie)
	}
	if !access.HttpOnly || !access.Secure || access.SameSite != http.SameSiteStrictMode || access.Path != "/" ||
		access.Domain != "" || access.MaxAge != int(DefaultAccessTokenLifetime/time.Second) {
		t.Errorf("access cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=/, no Domain, Max-Age 900", access)
	}
	if !refresh.HttpOnly || !refresh.Secure || refresh.SameSite != http.SameSiteStrictMode ||
		refresh.Path != DefaultRefreshPath || refresh.MaxAge != int(DefaultIdleTimeout/time.Second) {
		t.Errorf("refresh cookie %+v: want HttpOnly, Secure, SameSite=Strict, Path=%s, Max-Age of the idle timeout", refresh, DefaultRefreshPath)
	}
	var body tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken != "" || body.RefreshToken != "" || body.TokenType != "" ||
		body.ExpiresIn != 900 || body.Scope != "read write" {
		t.Errorf("cookie login body %+v %v: want expiry and scope, no token and no token_type", body, err)
	}

	for range 3 { // reusable until it expires
		if code, who := a.get(t, b, "/api/me"); code != http.StatusOK || who != "alice" {
			t.Fatalf("API with the access cookie: %d %q", code, who)
		}
	}
	clk.Advance(DefaultAccessTokenLifetime + time.Minute)
	if code, _ := a.get(t, b, "/api/me"); code != http.StatusUnauthorized {
		t.Fatalf("expired access token: %d, want 401", code)
	}
	resp = a.post(t, b, DefaultRefreshPath, nil)
	wantStatus(t, resp, http.StatusOK)
	if next := cookie(resp, RefreshCookie); next == nil || next.Value == refresh.Value {
		t.Fatalf("refresh did not rotate the refresh cookie")
	}
	if code, who := a.get(t, b, "/api/me"); code != http.StatusOK || who != "alice" {
		t.Fatalf("API after refresh: %d %q", code, who)
	}

	resp = a.post(t, b, DefaultRefreshPath+"/logout", nil)
	wantStatus(t, resp, http.StatusNoContent)
	for _, name := range []string{AccessCookie, RefreshCookie} {
		if c := cookie(resp, name); c == nil || c.MaxAge >= 0 {
			t.Errorf("logout: %s not cleared (%v)", name, c)
		}
	}
	if code, _ := a.get(t, b, "/api/me"); code != http.StatusUnauthorized {
		t.Errorf("API after logout: %d, want 401", code)
	}
	if n := ev.Count(sealjwt.KindLogout, sealjwt.OutcomeAccepted, ""); n != 1 {
		t.Errorf("%d accepted logout events, want 1", n)
	}
	for _, want := range []sealjwt.Kind{sealjwt.KindLogin, sealjwt.KindRefresh, sealjwt.KindLogout, sealjwt.KindAccess} {
		if ev.Count(want, sealjwt.OutcomeAccepted, "") == 0 {
			t.Errorf("no accepted %s event", want)
		}
	}
}

// A stolen refresh token, replayed by the thief after the holder has used
// it: the family is revoked, the holder's next refresh fails and clears
// its cookies, and the reuse is reported as its own event.
func TestStolenRefreshTokenReuseRevokesFamily(t *testing.T) {
	clk := newClock()
	ev := &observetest.Recorder{}
	a := newApp(t, newManager(t, clk, WithObserver(ev)))
	victim := a.browser(t)
	stolen := cookie(login(t, a, victim), RefreshCookie).Value

	wantStatus(t, a.post(t, victim, DefaultRefreshPath, nil), http.StatusOK)
	clk.Advance(defaultGrace + time.Second)

	thief := a.srv.Client() // a plain HTTP client with the copied cookie
	resp := a.post(t, thief, DefaultRefreshPath, nil, "Cookie", RefreshCookie+"="+stolen)
	if p := problemOf(t, resp, http.StatusBadRequest); p.Error != "invalid_grant" || !strings.Contains(p.Title, "reused") {
		t.Fatalf("replayed refresh token: %+v", p)
	}
	if c := cookie(resp, RefreshCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("reuse did not clear the refresh cookie")
	}
	if ev.Count(sealjwt.KindRefresh, sealjwt.OutcomeRefused, sealjwt.ReasonReuse) == 0 {
		t.Errorf("no refused refresh event with reason reuse")
	}
	resp = a.post(t, victim, DefaultRefreshPath, nil)
	if p := problemOf(t, resp, http.StatusBadRequest); p.Title != "session revoked" {
		t.Fatalf("victim's refresh after the reuse: %+v, want session revoked", p)
	}
}

// A refresh whose response was lost is retried with the same token: within
// the grace window it gets a session; with the window at 0 it is reuse.
func TestLostRefreshResponseGrace(t *testing.T) {
	for _, tc := range []struct {
		grace time.Duration
		want  error
	}{{defaultGrace, nil}, {0, ErrReuse}} {
		clk := newClock()
		m := newManager(t, clk, WithGrace(tc.grace))
		first, err := m.Login(context.Background(), Grant{Subject: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Refresh(context.Background(), first.Refresh); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
		retry, err := m.Refresh(context.Background(), first.Refresh)
		if !errors.Is(err, tc.want) {
			t.Fatalf("grace %v: retry got %v, want %v", tc.grace, err, tc.want)
		}
		if err == nil {
			if _, err := m.Refresh(context.Background(), retry.Refresh); err != nil {
				t.Fatalf("the retry's successor: %v", err)
			}
		}
	}
}

// A form on another origin posting to the API with the victim's cookies
// gets 403; the same request from the page's own origin, or carrying the
// token in Authorization (which no other site can set), is admitted.
func TestCSRFCrossOriginPostRefused(t *testing.T) {
	a := newApp(t, newManager(t, newClock()))
	b := a.browser(t)
	login(t, a, b)
	for _, path := range []string{"/api/me", DefaultRefreshPath, DefaultRefreshPath + "/logout", "/auth/login"} {
		resp := a.post(t, b, path, url.Values{"user": {"alice"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		problemOf(t, resp, http.StatusForbidden)
	}
	resp := a.post(t, b, "/api/me", nil, "Sec-Fetch-Site", "same-origin", "Origin", a.srv.URL)
	wantStatus(t, resp, http.StatusOK)

	tokens, _ := a.m.Login(context.Background(), Grant{Subject: "bob"})
	resp = a.post(t, a.srv.Client(), "/api/me", nil, "Sec-Fetch-Site", "cross-site", "Authorization", "Bearer "+tokens.Access)
	wantStatus(t, resp, http.StatusOK)
}

// RFC 6750 section 3.1: no token gets a bare Bearer challenge, a bad one
// error="invalid_token"; both are problem+json.
func TestMiddlewareChallenges(t *testing.T) {
	clk := newClock()
	a := newApp(t, newManager(t, clk))
	c := a.srv.Client()
	tokens, _ := a.m.Login(context.Background(), Grant{Subject: "alice"})
	otherAPI, _ := NewManager("https://other.example", signingKeys(t), WithClock(clk.Now))
	foreign, _ := otherAPI.Login(context.Background(), Grant{Subject: "alice"})
	for name, tc := range map[string]struct{ header, value, challenge string }{
		"missing":           {"", "", "Bearer"},
		"garbage":           {"Authorization", "Bearer x.y.z", `Bearer error="invalid_token"`},
		"other scheme":      {"Authorization", "Basic YWxpY2U6cHc=", "Bearer"},
		"another API's":     {"Authorization", "Bearer " + foreign.Access, `Bearer error="invalid_token"`},
		"tampered":          {"Authorization", "Bearer " + flipAt(tokens.Access, len(tokens.Access)-10), `Bearer error="invalid_token"`},
		"refresh as access": {"Authorization", "Bearer " + tokens.Refresh, `Bearer error="invalid_token"`},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/api/me", nil)
			if tc.header != "" {
				req.Header.Set(tc.header, tc.value)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			problemOf(t, resp, http.StatusUnauthorized)
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Fatalf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
		})
	}
	if code, _ := a.get(t, c, "/api/me", "Authorization", "Bearer "+tokens.Access); code != http.StatusOK {
		t.Fatalf("the good token: %d", code)
	}
	if _, err := a.m.Refresh(context.Background(), tokens.Access); !errors.Is(err, ErrInvalidRefresh) {
		t.Fatalf("an access token presented as refresh token: %v, want ErrInvalidRefresh", err)
	}
}

// API and native clients get an RFC 6749 section 5.1 token response and
// refresh with the token in the form body; no cookie is involved.
func TestTokenResponseDelivery(t *testing.T) {
	a := newApp(t, newManager(t, newClock(), WithDelivery(DeliverTokenResponse)))
	c := a.srv.Client()
	resp := login(t, a, c)
	if len(resp.Cookies()) != 0 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token response set cookies %v or no Cache-Control: no-store", resp.Cookies())
	}
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.TokenType != "Bearer" || tr.ExpiresIn != 900 ||
		tr.AccessToken == "" || len(tr.RefreshToken) != refreshTokenLen {
		t.Fatalf("token response %+v %v", tr, err)
	}
	if code, who := a.get(t, c, "/api/me", "Authorization", "Bearer "+tr.AccessToken); code != 200 || who != "alice" {
		t.Fatalf("API with the bearer token: %d %q", code, who)
	}
	resp = a.post(t, c, DefaultRefreshPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
	wantStatus(t, resp, http.StatusOK)
	var next tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&next); err != nil || next.RefreshToken == tr.RefreshToken || next.RefreshToken == "" {
		t.Fatalf("refreshed %+v %v", next, err)
	}
	resp = a.post(t, c, DefaultRefreshPath, url.Values{"grant_type": {"password"}, "refresh_token": {next.RefreshToken}})
	problemOf(t, resp, http.StatusBadRequest)
	resp = a.post(t, c, DefaultRefreshPath+"/logout", url.Values{"refresh_token": {next.RefreshToken}})
	wantStatus(t, resp, http.StatusNoContent)
	resp = a.post(t, c, DefaultRefreshPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next.RefreshToken}})
	if p := problemOf(t, resp, http.StatusBadRequest); p.Title != "session revoked" {
		t.Fatalf("refresh after logout: %+v", p)
	}
}

// Script on the page (XSS) that asks for JSON still never sees the refresh
// token that lives in the cookie: a refresh by cookie is answered by cookie.
func TestXSSCannotReadCookieRefreshToken(t *testing.T) {
	a := newApp(t, newManager(t, newClock(), WithDelivery(DeliverPerRequest)))
	b := a.browser(t)
	resp := login(t, a, b)
	if cookie(resp, RefreshCookie) == nil {
		t.Fatal("a login without Accept: application/json got no cookies")
	}
	resp = a.post(t, b, DefaultRefreshPath, nil, "Accept", "application/json")
	wantStatus(t, resp, http.StatusOK)
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.RefreshToken != "" || tr.AccessToken != "" {
		t.Fatalf("a cookie refresh answered with tokens in the body: %+v %v", tr, err)
	}
	resp = login(t, a, a.srv.Client(), "Accept", "application/json")
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.RefreshToken == "" || len(resp.Cookies()) != 0 {
		t.Fatalf("a JSON login: %+v, cookies %v", tr, resp.Cookies())
	}
}

// unreachable is a Store whose backend is gone.
type unreachable struct{ Store }

func (unreachable) Create(context.Context, Family, Refresh) error { return ErrStoreUnavailable }
func (unreachable) Rotate(context.Context, Rotation) (Rotated, error) {
	return Rotated{}, ErrStoreUnavailable
}
func (unreachable) Lookup(context.Context, string, SecretHash) (Family, error) {
	return Family{}, ErrStoreUnavailable
}

// A store that cannot answer fails closed: 503, and the cookies are kept
// for a retry.
func TestStoreUnavailable503(t *testing.T) {
	a := newApp(t, newManager(t, newClock(), WithStore(unreachable{})))
	c := a.srv.Client()
	problemOf(t, a.post(t, c, "/auth/login", url.Values{"user": {"alice"}}), http.StatusServiceUnavailable)
	tok, _ := newRefresh("")
	resp := a.post(t, c, DefaultRefreshPath, nil, "Cookie", RefreshCookie+"="+tok)
	problemOf(t, resp, http.StatusServiceUnavailable)
	if len(resp.Cookies()) != 0 {
		t.Errorf("503 cleared cookies: %v", resp.Cookies())
	}
	problemOf(t, a.post(t, c, DefaultRefreshPath+"/logout", nil, "Cookie", RefreshCookie+"="+tok), http.StatusServiceUnavailable)
}

// lostData is a store that lost its dataset: every token it no longer
// knows is reported as such.
type lostData struct{ Store }

func (lostData) Rotate(context.Context, Rotation) (Rotated, error) {
	return Rotated{}, fmt.Errorf("%w: %w", ErrInvalidRefresh, ErrStoreReset)
}

// A store that lost its data says so to the client (log in again) rather
// than calling its token invalid.
func TestStoreLostDataSaysLogInAgain(t *testing.T) {
	a := newApp(t, newManager(t, newClock(), WithStore(lostData{})))
	tok, _ := newRefresh("")
	resp := a.post(t, a.srv.Client(), DefaultRefreshPath, nil, "Cookie", RefreshCookie+"="+tok)
	if p := problemOf(t, resp, http.StatusBadRequest); p.Error != "invalid_grant" || !strings.Contains(p.Title, "log in again") {
		t.Fatalf("refresh against a store that lost its data: %q %q, want invalid_grant and a title saying to log in again", p.Error, p.Title)
	}
}

func TestLoginRefused(t *testing.T) {
	ev := &observetest.Recorder{}
	a := newApp(t, newManager(t, newClock(), WithObserver(ev)))
	resp := a.post(t, a.browser(t), "/auth/login", url.Values{"user": {"mallory"}})
	if p := problemOf(t, resp, http.StatusBadRequest); p.Error != "invalid_grant" {
		t.Errorf("refused login: error %q, want invalid_grant", p.Error)
	}
	if n := ev.Count(sealjwt.KindLogin, sealjwt.OutcomeRefused, sealjwt.ReasonLoginRefused); n != 1 {
		t.Errorf("%d refused login events with reason login_refused, want 1", n)
	}
	huge := url.Values{"pad": {strings.Repeat("x", maxLoginBody)}, "user": {"alice"}}
	problemOf(t, a.post(t, a.srv.Client(), "/auth/login", huge), http.StatusRequestEntityTooLarge)
	if len(resp.Cookies()) != 0 {
		t.Fatalf("refused login set cookies")
	}
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/auth/login", nil)
	r, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	problemOf(t, r, http.StatusMethodNotAllowed)
}

// The development option: plain http on localhost, so no Secure and no
// prefix; and it refuses to set cookies for any other host.
func TestDevelopmentCookies(t *testing.T) {
	m := newManager(t, newClock(), WithDevelopmentCookies(), WithSameSite(http.SameSiteLaxMode))
	if access, refresh := m.CookieNames(); access != "access" || refresh != "refresh" {
		t.Fatalf("development cookie names %q, %q", access, refresh)
	}
	h := m.LoginHandler(func(*http.Request) (Grant, error) { return Grant{Subject: "dev"}, nil })
	for host, want := range map[string]int{"localhost:8080": 200, "127.0.0.1:1": 200, "[::1]:80": 200, "api.example": http.StatusMisdirectedRequest} {
		w := newRecorder(h, http.MethodPost, "http://"+host+"/auth/login")
		if w.Code != want {
			t.Fatalf("host %s: %d, want %d", host, w.Code, want)
		}
		if want != 200 {
			continue
		}
		resp := http.Response{Header: w.Header()}
		access, refresh := m.CookieNames()
		a, r := cookie(&resp, access), cookie(&resp, refresh)
		if a == nil || r == nil || a.Secure || r.Secure || a.SameSite != http.SameSiteLaxMode || r.SameSite != http.SameSiteStrictMode {
			t.Fatalf("development cookies %v", resp.Cookies())
		}
	}
}

// A logout endpoint outside the refresh path never sees the refresh
// cookie: it ends the session named by the access token's sid instead.
func TestLogoutByAccessToken(t *testing.T) {
	m := newManager(t, newClock())
	a := newApp(t, m)
	b := a.browser(t)
	refresh := cookie(login(t, a, b), RefreshCookie).Value
	srv := newRecorderWith(m.LogoutHandler(), b, a.srv.URL+"/auth/logout")
	if srv.Code != http.StatusNoContent || len(srv.Result().Cookies()) != 2 {
		t.Fatalf("logout: %d, cookies %v", srv.Code, srv.Result().Cookies())
	}
	if _, err := m.Refresh(context.Background(), refresh); !errors.Is(err, ErrRevoked) {
		t.Fatalf("refresh after logout by access token: %v, want ErrRevoked", err)
	}
}

// flipAt changes the base64url character at i to another one.
func flipAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestAcceptsJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"application/json": true, "text/html, application/json;q=0.9": true, "Application/JSON": true,
		"": false, "*/*": false, "application/jsonx": false, "text/html": false,
	} {
		r, _ := http.NewRequest(http.MethodPost, "https://api.example/auth/login", nil)
		r.Header.Set("Accept", accept)
		if got := acceptsJSON(r); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}
