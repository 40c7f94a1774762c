package session

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/internal/problem"
)

// countingStore counts every call that reaches the store, so that a test
// can show a refusal left the store untouched.
type countingStore struct {
	Store
	calls atomic.Int64
}

func (s *countingStore) Create(ctx context.Context, f Family, first Refresh) error {
	s.calls.Add(1)
	return s.Store.Create(ctx, f, first)
}

func (s *countingStore) Rotate(ctx context.Context, r Rotation) (Rotated, error) {
	s.calls.Add(1)
	return s.Store.Rotate(ctx, r)
}

func (s *countingStore) RevokeFamily(ctx context.Context, id string) error {
	s.calls.Add(1)
	return s.Store.RevokeFamily(ctx, id)
}

func (s *countingStore) RevokeSubject(ctx context.Context, subject string) error {
	s.calls.Add(1)
	return s.Store.RevokeSubject(ctx, subject)
}

func (s *countingStore) Lookup(ctx context.Context, id string, h SecretHash) (Family, error) {
	s.calls.Add(1)
	return s.Store.Lookup(ctx, id, h)
}

// sessionRequest builds a request to a session endpoint: method, URL
// (its host is the Host header), body with its Content-Type, and header
// pairs. A body of length -1 is sent chunked, its length unannounced.
type sessionRequest struct {
	method, target, contentType, body string
	chunked                           bool
	header                            []string
}

func (sr sessionRequest) build() *http.Request {
	var body io.Reader = strings.NewReader(sr.body)
	if sr.chunked {
		body = io.MultiReader(body) // hides the length: ContentLength -1
	}
	r := httptest.NewRequest(cmpOr(sr.method, http.MethodPost), sr.target, body)
	if sr.contentType != "" {
		r.Header.Set("Content-Type", sr.contentType)
	}
	for i := 0; i+1 < len(sr.header); i += 2 {
		r.Header.Add(sr.header[i], sr.header[i+1])
	}
	return r
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// refusalCase is one request an endpoint must refuse before it touches
// the store. req gets the session's refresh token and the Manager's
// refresh cookie name.
type refusalCase struct {
	name   string
	opts   []ManagerOption
	req    func(refresh, cookie string) sessionRequest
	status int
	code   string
}

// checkRefusedBeforeStore sends each case to the endpoint of a Manager
// whose session has just started, and checks the status, the error code,
// that no store call was made, and that the session's refresh token is
// still unspent afterwards.
func checkRefusedBeforeStore(t *testing.T, endpoint func(*Manager) http.Handler, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := &countingStore{Store: NewMemory()}
			m := newManager(t, newClock(), append(tc.opts, WithStore(store))...)
			tokens, err := m.Login(context.Background(), Grant{Subject: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			store.calls.Store(0)
			_, cookieName := m.CookieNames()
			w := httptest.NewRecorder()
			endpoint(m).ServeHTTP(w, tc.req(tokens.Refresh, cookieName).build())
			if w.Code != tc.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, tc.status)
			}
			var p problem.Details
			if err := json.NewDecoder(w.Body).Decode(&p); err != nil || p.Error != tc.code || p.Title == "" {
				t.Errorf("problem %+v %v, want error %q and a title", p, err, tc.code)
			}
			if n := store.calls.Load(); n != 0 {
				t.Errorf("%d store calls after the refusal, want 0", n)
			}
			if len(w.Result().Cookies()) != 0 {
				t.Errorf("the refusal set cookies %v", w.Result().Cookies())
			}
			if _, err := m.Refresh(context.Background(), tokens.Refresh); err != nil {
				t.Errorf("the session's refresh token after the refusal: %v, want it unspent", err)
			}
		})
	}
}

const (
	httpsHost  = "https://api.example"
	devLocal   = "http://127.0.0.1:8080"
	devRemote  = "http://api.example"
	crossSite  = "Sec-Fetch-Site"
	big        = maxLoginBody + 1
	bigRefresh = maxRefreshBody + 1
)

func refreshForm(tok string) string {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}.Encode()
}

func withCookie(name, value string) []string { return []string{"Cookie", name + "=" + value} }

// Every refusal of the login endpoint comes before the session is
// created: the store sees no call.
func TestLoginRefusalsLeaveNoTraceInTheStore(t *testing.T) {
	login := func(m *Manager) http.Handler {
		return m.LoginHandler(func(r *http.Request) (Grant, error) {
			if err := r.ParseForm(); err != nil {
				return Grant{}, err
			}
			if r.PostForm.Get("user") != "alice" {
				return Grant{}, io.ErrUnexpectedEOF
			}
			return Grant{Subject: "alice"}, nil
		})
	}
	form := func(body string) func(string, string) sessionRequest {
		return func(string, string) sessionRequest {
			return sessionRequest{target: httpsHost + "/auth/login", contentType: formType, body: body}
		}
	}
	checkRefusedBeforeStore(t, login, []refusalCase{
		{name: "method", req: func(string, string) sessionRequest {
			return sessionRequest{method: http.MethodGet, target: httpsHost + "/auth/login"}
		}, status: http.StatusMethodNotAllowed},
		{name: "cross-origin", req: func(string, string) sessionRequest {
			return sessionRequest{target: httpsHost + "/auth/login", contentType: formType, body: "user=alice",
				header: []string{crossSite, "cross-site"}}
		}, status: http.StatusForbidden},
		{name: "JSON asked of a cookies-only server", opts: []ManagerOption{WithDelivery(DeliverCookies)},
			req: func(string, string) sessionRequest {
				return sessionRequest{target: httpsHost + "/auth/login", contentType: formType, body: "user=alice",
					header: []string{"Accept", "application/json"}}
			}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "development cookies on a non-loopback host", opts: []ManagerOption{WithDevelopmentCookies()},
			req: func(string, string) sessionRequest {
				return sessionRequest{target: devRemote + "/auth/login", contentType: formType, body: "user=alice"}
			}, status: http.StatusMisdirectedRequest},
		{name: "body over the limit, announced", req: form("user=alice&pad=" + strings.Repeat("x", big)),
			status: http.StatusRequestEntityTooLarge, code: "invalid_request"},
		{name: "body over the limit, chunked", req: func(string, string) sessionRequest {
			r := form("user=alice&pad="+strings.Repeat("x", big))("", "")
			r.chunked = true
			return r
		}, status: http.StatusRequestEntityTooLarge, code: "invalid_request"},
		{name: "credentials refused", req: form("user=mallory"), status: http.StatusBadRequest, code: "invalid_grant"},
	})
}

// Every refusal of the refresh endpoint that the request alone decides
// comes before the store: the presented refresh token stays unspent.
func TestRefreshRefusalsLeaveTheTokenUnspent(t *testing.T) {
	path := httpsHost + DefaultRefreshPath
	body := func(contentType, body string) func(string, string) sessionRequest {
		return func(string, string) sessionRequest {
			return sessionRequest{target: path, contentType: contentType, body: body}
		}
	}
	checkRefusedBeforeStore(t, (*Manager).RefreshHandler, append(cookieRefusals(DefaultRefreshPath), []refusalCase{
		{name: "form body to a cookies-only server", opts: []ManagerOption{WithDelivery(DeliverCookies)},
			req:    func(tok, _ string) sessionRequest { return body(formType, refreshForm(tok))("", "") },
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "cookie to a token-response server", opts: []ManagerOption{WithDelivery(DeliverTokenResponse)},
			req: func(tok, name string) sessionRequest {
				return sessionRequest{target: path, header: withCookie(name, tok)}
			}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "no token", req: body("", ""), status: http.StatusBadRequest, code: "invalid_request"},
		{name: "body over the limit, announced", req: func(tok, _ string) sessionRequest {
			return body(formType, refreshForm(tok)+"&pad="+strings.Repeat("x", bigRefresh))("", "")
		}, status: http.StatusRequestEntityTooLarge, code: "invalid_request"},
		{name: "body over the limit, chunked", req: func(tok, _ string) sessionRequest {
			r := body(formType, refreshForm(tok)+"&pad="+strings.Repeat("x", bigRefresh))("", "")
			r.chunked = true
			return r
		}, status: http.StatusRequestEntityTooLarge, code: "invalid_request"},
		{name: "content type", req: func(tok, _ string) sessionRequest {
			return body("application/json", `{"grant_type":"refresh_token","refresh_token":"`+tok+`"}`)("", "")
		}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "grant type", req: func(tok, _ string) sessionRequest {
			return body(formType, "grant_type=password&refresh_token="+tok)("", "")
		}, status: http.StatusBadRequest, code: "unsupported_grant_type"},
		{name: "no grant type", req: func(tok, _ string) sessionRequest {
			return body(formType, "refresh_token="+tok)("", "")
		}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh_token twice", req: func(tok, _ string) sessionRequest {
			return body(formType, refreshForm(tok)+"&refresh_token="+tok)("", "")
		}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "unreadable form", req: func(tok, _ string) sessionRequest {
			return body(formType, refreshForm(tok)+"&x=%zz")("", "")
		}, status: http.StatusBadRequest, code: "invalid_request"},
	}...))
}

// cookieRefusals are the refusals of a request to path that carries the
// refresh cookie: the wrong method, another origin, and development
// cookies for a host that is not loopback.
func cookieRefusals(path string) []refusalCase {
	return []refusalCase{
		{name: "method", req: func(tok, name string) sessionRequest {
			return sessionRequest{method: http.MethodGet, target: httpsHost + path, header: withCookie(name, tok)}
		}, status: http.StatusMethodNotAllowed},
		{name: "cross-origin", req: func(tok, name string) sessionRequest {
			return sessionRequest{target: httpsHost + path, header: append(withCookie(name, tok), crossSite, "cross-site")}
		}, status: http.StatusForbidden},
		{name: "development cookies on a non-loopback host", opts: []ManagerOption{WithDevelopmentCookies()},
			req: func(tok, name string) sessionRequest {
				return sessionRequest{target: devRemote + path, header: withCookie(name, tok)}
			}, status: http.StatusMisdirectedRequest},
	}
}

// Every refusal of the logout endpoint comes before anything is revoked:
// the session lives on.
func TestLogoutRefusalsLeaveTheSessionLive(t *testing.T) {
	path := httpsHost + DefaultRefreshPath + "/logout"
	checkRefusedBeforeStore(t, (*Manager).LogoutHandler, append(cookieRefusals(DefaultRefreshPath+"/logout"), []refusalCase{
		{name: "body over the limit", req: func(tok, _ string) sessionRequest {
			return sessionRequest{target: path, contentType: formType,
				body: "refresh_token=" + tok + "&pad=" + strings.Repeat("x", bigRefresh)}
		}, status: http.StatusRequestEntityTooLarge, code: "invalid_request"},
		{name: "content type", req: func(tok, _ string) sessionRequest {
			return sessionRequest{target: path, contentType: "text/plain", body: tok}
		}, status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh_token twice", req: func(tok, _ string) sessionRequest {
			return sessionRequest{target: path, contentType: formType, body: "refresh_token=" + tok + "&refresh_token=" + tok}
		}, status: http.StatusBadRequest, code: "invalid_request"},
	}...))
}

// The same requests without the refused property do reach the store, so
// that the counting above can tell.
func TestAcceptedSessionRequestsReachTheStore(t *testing.T) {
	store := &countingStore{Store: NewMemory()}
	m := newManager(t, newClock(), WithDevelopmentCookies(), WithStore(store))
	_, name := m.CookieNames()
	h := m.LoginHandler(func(*http.Request) (Grant, error) { return Grant{Subject: "alice"}, nil })
	w := httptest.NewRecorder()
	h.ServeHTTP(w, sessionRequest{target: devLocal + "/auth/login"}.build())
	refresh := cookie(w.Result(), name)
	if w.Code != http.StatusOK || refresh == nil || store.calls.Load() != 1 {
		t.Fatalf("login on loopback: %d, refresh cookie %v, %d store calls; want 200, a cookie, 1", w.Code, refresh, store.calls.Load())
	}
	w = httptest.NewRecorder()
	m.RefreshHandler().ServeHTTP(w, sessionRequest{target: devLocal + DefaultRefreshPath, header: withCookie(name, refresh.Value)}.build())
	if w.Code != http.StatusOK || store.calls.Load() != 2 {
		t.Fatalf("refresh on loopback: %d %s, %d store calls; want 200, 2", w.Code, w.Body, store.calls.Load())
	}
}

// A request refused before the store is logged once, as malformed, with
// what was expected.
func TestRefusalBeforeStoreLoggedAsMalformed(t *testing.T) {
	var logs observetest.LogBuffer
	m := newManager(t, newClock(), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	w := httptest.NewRecorder()
	m.RefreshHandler().ServeHTTP(w, sessionRequest{target: httpsHost + DefaultRefreshPath, contentType: formType,
		body: "grant_type=password"}.build())
	out := logs.String()
	if w.Code != http.StatusBadRequest || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"reason":"malformed"`) ||
		!strings.Contains(out, "grant_type must be refresh_token") {
		t.Fatalf("%d, log:\n%s", w.Code, out)
	}
}
