package session

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
)

// formType is the media type of RFC 6749 request bodies.
const formType = "application/x-www-form-urlencoded"

// A refusal is a request refused before anything is written to the store:
// its status, its RFC 6749 section 5.2 error code, and a title that says
// what was expected.
type refusal struct {
	status int
	code   string
	title  string
}

func (r *refusal) Error() string { return r.title }

// Unwrap makes every refusal an errBadRequest, logged with reason
// malformed.
func (r *refusal) Unwrap() error { return errBadRequest }

// errBadRequest: a session endpoint refused the request itself, before
// the store.
var errBadRequest = errors.New("session: request refused")

// refuse answers a refusal and logs it.
func (m *Manager) refuse(w http.ResponseWriter, r *http.Request, endpoint string, ref *refusal) {
	m.cfg.logRefusal(r, endpoint+" refused before the store", ref)
	writeProblem(w, ref.status, ref.title, ref.code)
}

// presented is the refresh token a request presents, and whether it came
// in a cookie (answered with cookies) or a form body (with a token
// response).
type presented struct {
	token      string
	fromCookie bool
}

// presentedRefresh finds the refresh token where WithDelivery allows,
// the cookie first, and refuses the requests that cannot be served.
func (m *Manager) presentedRefresh(w http.ResponseWriter, r *http.Request) (presented, *refusal) {
	if p, ok := m.refreshCookieOf(r); ok {
		return p, m.refuseCookieHost(r)
	}
	if m.cfg.delivery == DeliverCookies {
		return presented{}, &refusal{http.StatusBadRequest, "invalid_request",
			"no refresh cookie: this server takes refresh tokens from its cookie only, not from a form body"}
	}
	tok, ref := formToken(w, r, true)
	if ref == nil && tok == "" {
		ref = &refusal{http.StatusBadRequest, "invalid_request",
			"no refresh token: want the refresh cookie or a form body grant_type=refresh_token&refresh_token=..."}
	}
	return presented{token: tok}, ref
}

// presentedLogout finds the refresh token of a logout, if any; a logout
// without one ends the session of its access token instead.
func (m *Manager) presentedLogout(w http.ResponseWriter, r *http.Request) (presented, *refusal) {
	p, ok := m.refreshCookieOf(r)
	if !ok {
		var ref *refusal
		if p.token, ref = formToken(w, r, false); ref != nil {
			return p, ref
		}
		p.fromCookie = m.cfg.delivery != DeliverTokenResponse && m.hasAccessCookie(r)
	}
	if p.fromCookie {
		return p, m.refuseCookieHost(r)
	}
	return p, nil
}

// refreshCookieOf returns the refresh cookie, unless the Manager reads
// none (DeliverTokenResponse).
func (m *Manager) refreshCookieOf(r *http.Request) (presented, bool) {
	if m.cfg.delivery == DeliverTokenResponse {
		return presented{}, false
	}
	c, err := r.Cookie(refreshCookieName(m.cfg.devCookies))
	if err != nil || c.Value == "" {
		return presented{}, false
	}
	return presented{token: c.Value, fromCookie: true}, true
}

func (m *Manager) hasAccessCookie(r *http.Request) bool {
	c, err := r.Cookie(m.bearer.cookie)
	return err == nil && c.Value != ""
}

// formToken reads refresh_token from an RFC 6749 form body of at most
// maxRefreshBody bytes; "" when the request has no body. With
// grantRequired, grant_type must be refresh_token (RFC 6749 section 6).
func formToken(w http.ResponseWriter, r *http.Request, grantRequired bool) (string, *refusal) {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return "", nil
	}
	if ref := refuseOversized(r, maxRefreshBody); ref != nil {
		return "", ref
	}
	if t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || t != formType {
		return "", &refusal{http.StatusBadRequest, "invalid_request", "want a body of Content-Type " + formType}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRefreshBody)
	if err := r.ParseForm(); err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			return "", bodyTooLarge(maxRefreshBody)
		}
		return "", &refusal{http.StatusBadRequest, "invalid_request", "unreadable form body"}
	}
	return formParams(r.PostForm, grantRequired)
}

// formParams checks the parameters of a refresh or logout form: each at
// most once (RFC 6749 section 3.2), and the grant type.
func formParams(form map[string][]string, grantRequired bool) (string, *refusal) {
	for _, name := range []string{"grant_type", "refresh_token"} {
		if len(form[name]) > 1 {
			return "", &refusal{http.StatusBadRequest, "invalid_request", name + " given more than once"}
		}
	}
	if gt := first(form["grant_type"]); grantRequired && gt != "refresh_token" {
		code := "unsupported_grant_type"
		if gt == "" {
			code = "invalid_request"
		}
		return "", &refusal{http.StatusBadRequest, code, "grant_type must be refresh_token"}
	}
	return first(form["refresh_token"]), nil
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// refuseOversized refuses a body whose announced length exceeds limit,
// before reading any of it.
func refuseOversized(r *http.Request, limit int64) *refusal {
	if r.ContentLength > limit {
		return bodyTooLarge(limit)
	}
	return nil
}

func bodyTooLarge(limit int64) *refusal {
	return &refusal{http.StatusRequestEntityTooLarge, "invalid_request",
		fmt.Sprintf("request body over %d bytes", limit)}
}

// refuseCookieHost refuses an answer by development cookies to a host
// that is not loopback: without Secure they would cross a network.
func (m *Manager) refuseCookieHost(r *http.Request) *refusal {
	if !m.cfg.devCookies || loopback(r.Host) {
		return nil
	}
	return &refusal{http.StatusMisdirectedRequest, "",
		"development cookies are served to localhost, 127.0.0.1 and [::1] only"}
}
