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
// starts. Each login is answered as WithDelivery allows and the request
// asks: a request whose Accept header names application/json gets an RFC
// 6749 section 5.1 token response; the others get HttpOnly cookies with
// a JSON body {"expires_in":s,"refresh_expires_in":s,"scope":...} for the
// page's timers. Under DeliverCookies a login that asks for JSON is
// refused with 400 invalid_request, since it would get no token.
//
// A refused login gets 400 with "error":"invalid_grant" (RFC 6749 section
// 5.2; not 401, which would owe a challenge that a login form has none
// of), a cross-origin browser request 403, a body over 64 KiB 413, a store
// that cannot answer 503, all as problem+json. Every refusal comes before
// anything is written to the store.
func (m *Manager) LoginHandler(authenticate Authenticator) http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		asJSON, ref := m.loginDelivery(r)
		if ref == nil {
			ref = refuseOversized(r, maxLoginBody)
		}
		if ref != nil {
			m.refuse(w, r, "login", ref)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
		g, ok := m.authenticate(w, r, authenticate)
		if !ok {
			return
		}
		tokens, err := m.Login(r.Context(), g)
		if err != nil {
			m.fail(w, r, "login failed", err, false)
			return
		}
		m.deliver(w, tokens, asJSON)
	})
}

// authenticate runs the application's Authenticator and answers its
// refusal: 413 when it read past the body limit, else 400 invalid_grant.
func (m *Manager) authenticate(w http.ResponseWriter, r *http.Request, authenticate Authenticator) (Grant, bool) {
	start := time.Now()
	g, err := authenticate(r)
	if err == nil {
		return g, true
	}
	err = fmt.Errorf("%w: %w", errLoginRefused, err)
	m.observe(r.Context(), sealjwt.KindLogin, start, err)
	m.cfg.logRefusal(r, "login refused", err)
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		ref := bodyTooLarge(maxLoginBody)
		writeProblem(w, ref.status, ref.title, ref.code)
		return Grant{}, false
	}
	writeProblem(w, http.StatusBadRequest, "login refused", "invalid_grant")
	return Grant{}, false
}

// loginDelivery decides how a login is answered, or refuses it: a JSON
// login on a cookies-only Manager, a cookie login that the development
// cookies cannot serve.
func (m *Manager) loginDelivery(r *http.Request) (asJSON bool, ref *refusal) {
	switch {
	case m.cfg.delivery == DeliverTokenResponse:
		return true, nil
	case !acceptsJSON(r):
		return false, m.refuseCookieHost(r)
	case m.cfg.delivery == DeliverCookies:
		return false, &refusal{http.StatusBadRequest, "invalid_request",
			"this server delivers tokens in cookies only: log in without Accept: application/json"}
	}
	return true, nil
}

// RefreshHandler serves POST refresh, at the path WithRefreshPath names.
// The refresh token comes from the refresh cookie or, as RFC 6749 section
// 6 has it, from a form body (grant_type=refresh_token&refresh_token=...,
// application/x-www-form-urlencoded, at most 4 KiB), as WithDelivery
// allows; the new tokens go back the same way: cookies for a cookie, a
// token response for a form body. Under DeliverCookies a form body is
// refused, and under DeliverTokenResponse the cookie is not read.
//
// A request refused before the store is consulted (no token, a malformed
// or oversized body, a wrong grant_type) gets 400 invalid_request or
// unsupported_grant_type, or 413, and leaves the token unspent. A token
// the store refuses gets 400 invalid_grant and clears the cookies; a
// store that cannot answer gives 503 and clears nothing.
func (m *Manager) RefreshHandler() http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		p, ref := m.presentedRefresh(w, r)
		if ref != nil {
			m.refuse(w, r, "refresh", ref)
			return
		}
		tokens, err := m.Refresh(r.Context(), p.token)
		if err != nil {
			m.fail(w, r, "refresh refused", err, p.fromCookie)
			return
		}
		m.deliver(w, tokens, !p.fromCookie)
	})
}

// LogoutHandler serves POST logout: it revokes the session of the refresh
// token (cookie or form body, as for refresh) or, failing that, of the
// access token the request authenticates with, clears the cookies the
// request came with and answers 204. Mount it under the refresh path (the
// refresh cookie is sent nowhere else) or let it use the access token.
// A malformed or oversized body (400, 413) and a cookie the development
// cookies cannot clear (421) are refused before anything is revoked.
func (m *Manager) LogoutHandler() http.Handler {
	return m.endpoint(func(w http.ResponseWriter, r *http.Request) {
		p, ref := m.presentedLogout(w, r)
		if ref != nil {
			m.refuse(w, r, "logout", ref)
			return
		}
		err := m.endSession(r, p.token)
		if unavailable(err) {
			m.fail(w, r, "logout failed", err, false)
			return
		}
		if p.fromCookie {
			m.clearCookies(w)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}

// endSession revokes the family the request names, and reports the
// logout once.
func (m *Manager) endSession(r *http.Request, refreshToken string) error {
	start := time.Now()
	err := m.revokeNamed(r, refreshToken)
	m.observe(r.Context(), sealjwt.KindLogout, start, err)
	return err
}

// revokeNamed revokes the family of refreshToken or, when it is not a
// valid one, of the request's access token.
func (m *Manager) revokeNamed(r *http.Request, refreshToken string) error {
	if refreshToken != "" {
		if err := m.logout(r.Context(), refreshToken); !errors.Is(err, ErrInvalidRefresh) {
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

// fail answers a failed login, refresh or logout: 503 when the store
// cannot answer (fail closed, cookies kept for a retry), else 400
// invalid_grant, with the cookies cleared when they came with the request.
func (m *Manager) fail(w http.ResponseWriter, r *http.Request, what string, err error, cookies bool) {
	m.cfg.logRefusal(r, what, err)
	if unavailable(err) {
		writeUnavailable(w)
		return
	}
	if cookies {
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
	case errors.Is(err, ErrStoreReset):
		title = "session store lost its sessions: log in again"
	case !errors.Is(err, ErrInvalidRefresh):
		writeProblem(w, http.StatusInternalServerError, what, "")
		return
	}
	writeProblem(w, http.StatusBadRequest, title, "invalid_grant")
}

// tokenResponse is RFC 6749 section 5.1's successful response; without
// the tokens and their type, the body of an answer by cookies.
type tokenResponse struct {
	AccessToken      string `json:"access_token,omitempty"`
	TokenType        string `json:"token_type,omitempty"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	Scope            string `json:"scope,omitempty"`
}

// deliver hands tokens over: in a token response when asJSON, else as
// cookies with the same body minus the tokens and their type. The
// request was checked for the delivery before anything was written.
func (m *Manager) deliver(w http.ResponseWriter, t *Tokens, asJSON bool) {
	now := m.cfg.now()
	resp := tokenResponse{ExpiresIn: seconds(t.AccessExpiresAt.Sub(now)),
		RefreshExpiresIn: seconds(t.RefreshExpiresAt.Sub(now)), Scope: strings.Join(t.Scopes, " ")}
	if asJSON {
		resp.AccessToken, resp.TokenType, resp.RefreshToken = t.Access, "Bearer", t.Refresh
	} else {
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
