// Package webdemo serves the browser demo of the session package: a login
// page, a protected page that shows the live session (the access token's
// expiry counting down, each silent refresh), and a button that makes the
// server replay a stolen refresh token as an attacker would.
//
// "sealjwt demo --web" serves it over plain http on localhost with the
// session package's development cookies; the browser test serves the same
// handler over TLS with the real cookie attributes.
package webdemo

import (
	"crypto/x509"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/session"
)

// The demo's one account.
const (
	User     = "alice"
	Password = "wonderland"
)

// Paths the demo serves besides the session endpoints.
const (
	loginPage  = "/"
	appPage    = "/app"
	staticPath = "/static/"
	mePath     = "/api/me"
	replayPath = "/api/demo/replay-stolen-refresh-token"
)

// Defaults of the demo: lifetimes short enough to watch, long enough to read.
const (
	DefaultAccessLifetime = time.Minute
	DefaultGrace          = 2 * time.Second
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.ParseFS(assets, "assets/pages/*.html"))

// Config configures a Demo. The zero value is the demo over TLS with the
// default lifetimes.
type Config struct {
	// Dev serves cookies without Secure and without the __Host- prefix,
	// for plain http on localhost. The pages say so.
	Dev bool
	// AccessLifetime is the access token's lifetime (DefaultAccessLifetime
	// when zero).
	AccessLifetime time.Duration
	// Grace is the refresh token's grace window (DefaultGrace when zero;
	// negative disables it).
	Grace time.Duration
	// Now is the server's clock (time.Now when nil).
	Now func() time.Time
	// Observer, if set, is told every login, refresh (reuse detections
	// among them), logout and access check (metrics).
	Observer sealjwt.Observer
	// Log, if set, gets one line per refusal.
	Log *slog.Logger
	// RootCAs are the certificates the replay's attacker trusts when the
	// demo is served over https (the system's when nil): the attacker
	// sends a real request to the demo's own address.
	RootCAs *x509.CertPool
}

func (c Config) withDefaults() Config {
	if c.AccessLifetime == 0 {
		c.AccessLifetime = DefaultAccessLifetime
	}
	switch {
	case c.Grace == 0:
		c.Grace = DefaultGrace
	case c.Grace < 0:
		c.Grace = 0
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Demo is the demo's HTTP handler.
type Demo struct {
	cfg                         Config
	sessions                    *session.Manager
	refresh                     http.Handler // the session's, for the thief's replay
	accessCookie, refreshCookie string
	thief                       *thief
	mux                         *http.ServeMux
}

// New returns the demo with a fresh signing key and an empty in-memory
// session store.
func New(cfg Config) (*Demo, error) {
	cfg = cfg.withDefaults()
	m, err := newManager(cfg)
	if err != nil {
		return nil, err
	}
	d := &Demo{cfg: cfg, sessions: m, refresh: m.RefreshHandler(), thief: newThief(), mux: http.NewServeMux()}
	d.accessCookie, d.refreshCookie = m.CookieNames()
	d.routes()
	return d, nil
}

func (d *Demo) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

func (d *Demo) routes() {
	static, _ := fs.Sub(assets, "assets/static")
	d.mux.Handle("GET "+staticPath, http.StripPrefix(staticPath, http.FileServerFS(static)))
	d.mux.HandleFunc("GET "+loginPage+"{$}", d.page("login.html"))
	d.mux.HandleFunc("GET "+appPage, d.page("app.html"))
	d.mux.Handle("POST "+loginPath, d.thief.watch(d, d.sessions.LoginHandler(authenticate)))
	d.mux.Handle("POST "+refreshPath, d.thief.watch(d, d.refresh))
	d.mux.Handle("POST "+logoutPath, d.sessions.LogoutHandler())
	// The middleware refuses a cross-origin state-changing request that a
	// cookie authenticates, as the session endpoints do.
	d.mux.Handle("GET "+mePath, d.sessions.Middleware(http.HandlerFunc(d.me)))
	d.mux.Handle("POST "+replayPath, d.sessions.Middleware(http.HandlerFunc(d.replay)))
}

// pageData fills the pages' templates.
type pageData struct {
	Dev                                bool
	User, Password                     string
	LoginPath, RefreshPath, LogoutPath string
	MePath, ReplayPath                 string
	Grace                              string
}

func (d *Demo) page(name string) http.HandlerFunc {
	data := pageData{
		Dev: d.cfg.Dev, User: User, Password: Password,
		LoginPath: loginPath, RefreshPath: refreshPath, LogoutPath: logoutPath,
		MePath: mePath, ReplayPath: replayPath, Grace: seconds(d.cfg.Grace),
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
		if err := pages.ExecuteTemplate(w, name, data); err != nil {
			http.Error(w, "rendering "+name, http.StatusInternalServerError)
		}
	}
}

// me answers the protected API: who is logged in, and how long the access
// token has left by the server's clock, so that the page needs no clock of
// its own in sync.
func (d *Demo) me(w http.ResponseWriter, r *http.Request) {
	claims, ok := session.ClaimsFromContext(r.Context())
	if !ok {
		http.Error(w, "no session claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"subject":           claims.Subject,
		"expires_in_ms":     claims.ExpiresAt.Sub(d.cfg.Now()).Milliseconds(),
		"refresh_before_ms": refreshMargin(d.cfg.AccessLifetime).Milliseconds(),
	})
}

// seconds writes d for people: "2 s", "0.3 s".
func seconds(d time.Duration) string { return fmt.Sprintf("%g s", d.Seconds()) }

// refreshMargin is how long before expiry the page refreshes: a fifth of
// the lifetime, at most ten seconds.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(lifetime/5, 10*time.Second)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The values are maps of strings and numbers: only the write can
	// fail, and the status is already sent.
	_ = json.NewEncoder(w).Encode(v)
}
