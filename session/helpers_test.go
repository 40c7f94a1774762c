package session

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/problem"
	"github.com/sealjwt/sealjwt/token"
)

const apiID = "https://api.example"

// clock is a settable test clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var (
	keysOnce sync.Once
	testKeys *token.KeySet
)

// signingKeys is one EdDSA key set for the whole test binary.
func signingKeys(t testing.TB) *token.KeySet {
	t.Helper()
	keysOnce.Do(func() {
		k, err := token.GenerateKey(token.EdDSA)
		if err != nil {
			panic(err)
		}
		testKeys, _ = token.NewKeySet(k)
	})
	return testKeys
}

func newManager(t testing.TB, c *clock, opts ...ManagerOption) *Manager {
	t.Helper()
	m, err := NewManager(apiID, signingKeys(t), append([]ManagerOption{WithClock(c.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// app is an API behind a Manager, served over TLS so that Secure cookies
// behave as in a browser: POST /auth/login (form user=...; "mallory" is
// refused), POST /auth/refresh, POST /auth/refresh/logout, and GET or
// POST /api/me behind the middleware, answering the subject.
type app struct {
	m   *Manager
	srv *httptest.Server
}

func newApp(t *testing.T, m *Manager) *app {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/auth/login", m.LoginHandler(func(r *http.Request) (Grant, error) {
		user := r.FormValue("user")
		if user == "" || user == "mallory" {
			return Grant{}, io.ErrUnexpectedEOF
		}
		return Grant{Subject: user, Scopes: []string{"read", "write"}, Claims: map[string]any{"tenant": "acme"}}, nil
	}))
	mux.Handle(DefaultRefreshPath, m.RefreshHandler())
	mux.Handle(DefaultRefreshPath+"/logout", m.LogoutHandler())
	mux.Handle("/api/me", m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, c.Subject)
	})))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return &app{m: m, srv: srv}
}

// browser is a client with a cookie jar, as a browser is.
func (a *app) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := *a.srv.Client() // a copy: the server's own client stays without a jar
	c.Jar = jar
	return &c
}

func (a *app) post(t *testing.T, c *http.Client, path string, form url.Values, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (a *app) get(t *testing.T, c *http.Client, path string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// cookie returns the Set-Cookie of name in resp, or nil.
func cookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func wantStatus(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: status %d %s, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, b, status)
	}
}

// problemOf checks a problem+json answer and returns it.
func problemOf(t *testing.T, resp *http.Response, status int) problem.Details {
	t.Helper()
	wantStatus(t, resp, status)
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem.Details
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Status != status {
		t.Fatalf("problem body %+v %v", p, err)
	}
	return p
}

// newRecorder serves one request to h without a network.
func newRecorder(h http.Handler, method, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

// newRecorderWith POSTs to h with the cookies c's jar holds for target.
func newRecorderWith(h http.Handler, c *http.Client, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, nil)
	u, _ := url.Parse(target)
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
