package webdemo

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// The session endpoints. Logout sits under the refresh path, the only
// path the refresh cookie is sent to, so that it revokes the session by
// its refresh token even once the access token has expired.
const (
	loginPath   = "/auth/login"
	refreshPath = session.DefaultRefreshPath
	logoutPath  = session.DefaultRefreshPath + "/logout"
)

// errLoginRefused is what the authenticator tells the session package's
// log; the client only learns that the login was refused.
var errLoginRefused = errors.New("webdemo: wrong user or password")

// newManager makes the session manager of the demo: a fresh signing key,
// the in-memory store, and the demo's lifetimes and clock.
func newManager(cfg Config) (*session.Manager, error) {
	key, err := token.GenerateKey(token.DefaultAlg)
	if err != nil {
		return nil, err
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		return nil, err
	}
	opts := []session.ManagerOption{
		session.WithClock(cfg.Now),
		session.WithAccessTokenLifetime(cfg.AccessLifetime),
		session.WithGrace(cfg.Grace),
		session.WithRefreshPath(refreshPath),
	}
	if cfg.Dev {
		opts = append(opts, session.WithDevelopmentCookies())
	}
	if cfg.Observer != nil {
		opts = append(opts, session.WithObserver(cfg.Observer))
	}
	if cfg.Log != nil {
		opts = append(opts, session.WithLogger(cfg.Log))
	}
	return session.NewManager("sealjwt-web-demo", keys, opts...)
}

// authenticate admits the demo's one account, comparing in constant time.
func authenticate(r *http.Request) (session.Grant, error) {
	userOK := subtle.ConstantTimeCompare([]byte(r.PostFormValue("username")), []byte(User))
	passwordOK := subtle.ConstantTimeCompare([]byte(r.PostFormValue("password")), []byte(Password))
	if userOK&passwordOK != 1 {
		return session.Grant{}, errLoginRefused
	}
	return session.Grant{Subject: User, Scopes: []string{"demo"}}, nil
}
