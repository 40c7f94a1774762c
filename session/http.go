package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
)

// Cookie names. The access cookie's __Host- prefix makes browsers insist
// on Secure, Path=/ and no Domain, so that neither a sibling subdomain nor
// a plain-http page can set or shadow it; the refresh cookie's path is the
// refresh endpoint, so it carries the __Secure- prefix (Secure required).
// WithDevelopmentCookies drops both prefixes.
const (
	AccessCookie  = "__Host-access"
	RefreshCookie = "__Secure-refresh"
)

// Body limits: the form body of the refresh and logout endpoints, and
// the login request the Authenticator reads. Reading past them fails.
const (
	maxRefreshBody = 4096
	maxLoginBody   = 64 << 10
)

// CookieNames returns the names of the cookies m sets: AccessCookie and
// RefreshCookie, or the same without their prefixes under
// WithDevelopmentCookies.
func (m *Manager) CookieNames() (access, refresh string) {
	return accessCookieName(m.cfg.devCookies), refreshCookieName(m.cfg.devCookies)
}

func accessCookieName(dev bool) string {
	if dev {
		return strings.TrimPrefix(AccessCookie, "__Host-")
	}
	return AccessCookie
}

func refreshCookieName(dev bool) string {
	if dev {
		return strings.TrimPrefix(RefreshCookie, "__Secure-")
	}
	return RefreshCookie
}

// errLoginRefused marks the Authenticator's refusals, so that the
// Observer and the logs can tell them from the session's own failures.
var errLoginRefused = errors.New("session: login refused")

// Authenticator decides a login from the request (a form, a JSON body,
// a client certificate, ...): the Grant to start a session with, or an
// error to refuse it. Its error is logged, never sent to the client.
type Authenticator func(r *http.Request) (Grant, error)

// LoginHandler serves POST login: authenticate decides, and a session
// starts. Tokens are delivered as WithDelivery says: as cookies, with a
// JSON body {"token_type":"Bearer","expires_in":s,"refresh_expires_in":s,
// "scope":...} for the page's timers; or as an RFC 6749 section 5.1 token
// response. A refused login gets 400 with "error":"invalid_grant" (RFC 6749
// section 5.2; not 401, which would owe a challenge that a login form has
// none of), a cross-origin browser request 403,
// a store that cannot answer 503, all as problem+json. The request body
// authenticate reads is limited to 64 KiB.
func (m *Manager) LoginHandler(authenticate Authenticator) http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
		start := time.Now()
		g, err := authenticate(r)
		if err != nil {
			err = fmt.Errorf("%w: %w", errLoginRefused, err)
			m.observe(r.Context(), sealjwt.KindLogin, start, err)
			m.cfg.logRefusal(r, "login refused", err)
			writeProblem(w, http.StatusBadRequest, "login refused", "invalid_grant")
			return
		}
		tokens, err := m.Login(r.Context(), g)
		if err != nil {
			m.fail(w, r, "login failed", err)
			return
		}
		m.deliver(w, r, tokens, m.cfg.delivery == DeliverTokenResponse || m.cfg.delivery == DeliverPerRequest && acceptsJSON(r))
	})
}

// RefreshHandler serves POST refresh, at the path WithRefreshPath names.
// The refresh token comes from the refresh cookie or, as RFC 6749 section
// 6 has it, from the form body (grant_type=refresh_token&refresh_token=),
// as WithDelivery says; the new tokens go back the same way. A refusal is
// 400 with "error":"invalid_grant" in the problem+json body, and clears
// the cookies; a store that cannot answer gives 503 and clears nothing.
func (m *Manager) RefreshHandler() http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		tok, fromCookie, err := m.refreshTokenOf(w, r)
		if err != nil {
			writeProblem(w, http.StatusBadRequest, err.Error(), "invalid_request")
			return
		}
		tokens, err := m.Refresh(r.Context(), tok)
		if err != nil {
			m.fail(w, r, "refresh refused", err)
			return
		}
		m.deliver(w, r, tokens, !fromCookie)
	})
}

// LogoutHandler serves POST logout: it revokes the session of the refresh
// token (cookie or form body, as for refresh) or, failing that, of the
// access token the request authenticates with, clears both cookies and
// answers 204. Mount it under the refresh path (the refresh cookie is sent
// nowhere else) or let it use the access token.
func (m *Manager) LogoutHandler() http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		err := m.endSession(w, r)
		if unavailable(err) {
			m.fail(w, r, "logout failed", err)
			return
		}
		if m.cfg.delivery != DeliverTokenResponse {
			m.clearCookies(w)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}

// endSession revokes the family the request names, and reports the
// logout once.
func (m *Manager) endSession(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	err := m.revokeNamed(w, r)
	m.observe(r.Context(), sealjwt.KindLogout, start, err)
	return err
}

// revokeNamed revokes the family of the request's refresh token or, when
// it has none that is valid, of its access token.
func (m *Manager) revokeNamed(w http.ResponseWriter, r *http.Request) error {
	if tok, _, err := m.refreshTokenOf(w, r); err == nil {
		if err := m.logout(r.Context(), tok); !errors.Is(err, ErrInvalidRefresh) {
			return err
		}
	}
	claims, err := m.bearer.admit(r)
	if err != nil {
		return err
	}
	if claims.SessionID == "" {
		return fmt.Errorf("%w: the access token names no session", ErrInvalidRefresh)
	}
	return m.cfg.store.RevokeFamily(r.Context(), claims.SessionID)
}

// endpoint wraps a session endpoint: POST only, and through the
// cross-origin check, since browsers send the cookies with any request.
func (m *Manager) endpoint(serve http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeProblem(w, http.StatusMethodNotAllowed, "use POST", "")
			return
		}
		if err := m.bearer.crossOrigin.Check(r); err != nil {
			m.cfg.logRefusal(r, "cross-origin request refused", err)
			writeProblem(w, http.StatusForbidden, "cross-origin request refused", "")
			return
		}
		serve(w, r)
	})
}

// refreshTokenOf finds the refresh token where the delivery mode allows:
// the refresh cookie, else the form body.
func (m *Manager) refreshTokenOf(w http.ResponseWriter, r *http.Request) (tok string, fromCookie bool, err error) {
	if m.cfg.delivery != DeliverTokenResponse {
		if c, err := r.Cookie(refreshCookieName(m.cfg.devCookies)); err == nil && c.Value != "" {
			return c.Value, true, nil
		}
		if m.cfg.delivery == DeliverCookies {
			return "", false, errors.New("no refresh cookie")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRefreshBody)
	if err := r.ParseForm(); err != nil {
		return "", false, errors.New("unreadable form body")
	}
	if gt := r.PostForm.Get("grant_type"); gt != "" && gt != "refresh_token" {
		return "", false, errors.New("grant_type must be refresh_token")
	}
	if tok = r.PostForm.Get("refresh_token"); tok == "" {
		return "", false, errors.New("no refresh_token")
	}
	return tok, false, nil
}

// fail answers a failed login, refresh or logout: 503 when the store
// cannot answer (fail closed, cookies kept for a retry), else 400
// invalid_grant with the cookies cleared.
func (m *Manager) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	m.cfg.logRefusal(r, what, err)
	if unavailable(err) {
		writeUnavailable(w)
		return
	}
	if m.cfg.delivery != DeliverTokenResponse {
		m.clearCookies(w)
	}
	title := "invalid refresh token"
	switch {
	case errors.Is(err, ErrReuse):
		title = "refresh token reused: session revoked"
	case errors.Is(err, ErrRevoked):
		title = "session revoked"
	case errors.Is(err, ErrSessionExpired):
		title = "session expired"
	case !errors.Is(err, ErrInvalidRefresh):
		writeProblem(w, http.StatusInternalServerError, what, "")
		return
	}
	writeProblem(w, http.StatusBadRequest, title, "invalid_grant")
}

// tokenResponse is RFC 6749 section 5.1's successful response.
type tokenResponse struct {
	AccessToken      string `json:"access_token,omitempty"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	Scope            string `json:"scope,omitempty"`
}

// deliver hands tokens over: in a token response when asJSON, else as
// cookies with the same body minus the tokens themselves.
func (m *Manager) deliver(w http.ResponseWriter, r *http.Request, t *Tokens, asJSON bool) {
	now := m.cfg.now()
	resp := tokenResponse{TokenType: "Bearer", ExpiresIn: seconds(t.AccessExpiresAt.Sub(now)),
		RefreshExpiresIn: seconds(t.RefreshExpiresAt.Sub(now)), Scope: strings.Join(t.Scopes, " ")}
	if asJSON {
		resp.AccessToken, resp.RefreshToken = t.Access, t.Refresh
	} else {
		if m.cfg.devCookies && !loopback(r.Host) {
			m.cfg.logRefusal(r, "development cookies refused", errors.New("host is not loopback"))
			writeProblem(w, http.StatusInternalServerError, "development cookies are for localhost only", "")
			return
		}
		http.SetCookie(w, m.accessCookie(t.Access, int(resp.ExpiresIn)))
		http.SetCookie(w, m.refreshCookie(t.Refresh, int(resp.RefreshExpiresIn)))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(resp)
}

// seconds rounds d up to whole seconds, never below 1: exp is a whole
// second, so an access token issued at 12:00:00.3 for 900 s has 899.7 s
// left and says 900, as its Max-Age.
func seconds(d time.Duration) int64 { return max(int64((d+time.Second-1)/time.Second), 1) }

// accessCookie is the access token cookie; maxAge -1 deletes it.
func (m *Manager) accessCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: accessCookieName(m.cfg.devCookies), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !m.cfg.devCookies, SameSite: m.cfg.sameSite}
}

// refreshCookie is the refresh token cookie, sent to the refresh path
// only; maxAge -1 deletes it.
func (m *Manager) refreshCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: refreshCookieName(m.cfg.devCookies), Value: value, Path: m.cfg.refreshPath,
		MaxAge: maxAge, HttpOnly: true, Secure: !m.cfg.devCookies, SameSite: http.SameSiteStrictMode}
}

// clearCookies deletes both cookies (Max-Age=0 on the wire).
func (m *Manager) clearCookies(w http.ResponseWriter) {
	http.SetCookie(w, m.accessCookie("", -1))
	http.SetCookie(w, m.refreshCookie("", -1))
}

// acceptsJSON reports whether the Accept header names application/json.
func acceptsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			if t, _, err := mime.ParseMediaType(part); err == nil && t == "application/json" {
				return true
			}
		}
	}
	return false
}

// loopback reports whether host (with or without a port) is localhost or
// a loopback address.
func loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
