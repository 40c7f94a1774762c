package storetest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// HTTP runs a session.Manager on s behind a real HTTPS server and plays a
// stolen refresh token's replay through it with a real client: the victim
// refreshes, the attacker presents the consumed token (no grace window),
// and both lose the session (400 invalid_grant). With unreachable
// (nil to skip), login and refresh fail closed with 503.
func HTTP(t *testing.T, s, unreachable session.Store) {
	t.Run("StolenRefreshTokenReplayed", func(t *testing.T) {
		srv := serve(t, s)
		stolen := postToken(t, srv, "/auth/login", url.Values{"user": {"alice"}}, http.StatusOK)
		current := postToken(t, srv, "/auth/refresh", refreshForm(stolen), http.StatusOK)
		postToken(t, srv, "/auth/refresh", refreshForm(stolen), http.StatusBadRequest)  // the attacker
		postToken(t, srv, "/auth/refresh", refreshForm(current), http.StatusBadRequest) // the victim, logged out
	})
	t.Run("UnreachableStore503", func(t *testing.T) {
		if unreachable == nil {
			t.Skip("the store has no backend")
		}
		srv := serve(t, unreachable)
		postToken(t, srv, "/auth/login", url.Values{"user": {"alice"}}, http.StatusServiceUnavailable)
		postToken(t, srv, "/auth/refresh", refreshForm(randomID()+"."+base64.RawURLEncoding.EncodeToString(make([]byte, 32))), http.StatusServiceUnavailable)
	})
}

// serve starts an HTTPS server with a Manager on s answering with token
// responses, without a grace window.
func serve(t *testing.T, s session.Store) *httptest.Server {
	t.Helper()
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.NewManager("https://api.example", keys, session.WithStore(s),
		session.WithDelivery(session.DeliverTokenResponse), session.WithGrace(0))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /auth/login", m.LoginHandler(func(r *http.Request) (session.Grant, error) {
		if r.FormValue("user") == "" {
			return session.Grant{}, errors.New("no user")
		}
		return session.Grant{Subject: r.FormValue("user"), Scopes: []string{"read"}}, nil
	}))
	mux.Handle("POST /auth/refresh", m.RefreshHandler())
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func refreshForm(tok string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}
}

// postToken posts form to path, checks the status, and returns the
// refresh token of a successful answer.
func postToken(t *testing.T, srv *httptest.Server, path string, form url.Values, status int) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
		Title        string `json:"title"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != status {
		t.Fatalf("POST %s: %d %q, want %d", path, resp.StatusCode, body.Title, status)
	}
	if status == http.StatusOK && body.RefreshToken == "" {
		t.Fatalf("POST %s: no refresh_token in the answer", path)
	}
	return body.RefreshToken
}
