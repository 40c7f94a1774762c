package webdemo

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/observetest"
)

// TestAttackRefreshTokenReuseReachesTheObserver: a stolen refresh token
// used after its owner has rotated it revokes the family, and the
// operator's observer hears of it as a refused refresh for reuse: the
// event an alert is built on.
func TestAttackRefreshTokenReuseReachesTheObserver(t *testing.T) {
	events := &observetest.Recorder{}
	d, err := New(Config{Dev: true, Grace: -1, Observer: events})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	resp, err := http.PostForm(srv.URL+loginPath, url.Values{"username": {User}, "password": {Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var stolen *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == d.refreshCookie {
			stolen = c
		}
	}
	if resp.StatusCode != http.StatusOK || stolen == nil {
		t.Fatalf("login: %d, refresh cookie %v", resp.StatusCode, stolen)
	}
	refresh := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+refreshPath, nil)
		req.AddCookie(stolen)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := refresh(); code != http.StatusOK {
		t.Fatalf("owner's refresh: %d", code)
	}
	if code := refresh(); code == http.StatusOK {
		t.Fatal("a consumed refresh token was accepted again")
	}
	srv.Close()
	for _, c := range []struct {
		kind    sealjwt.Kind
		outcome sealjwt.Outcome
		reason  sealjwt.Reason
	}{
		{sealjwt.KindLogin, sealjwt.OutcomeAccepted, ""},
		{sealjwt.KindRefresh, sealjwt.OutcomeAccepted, ""},
		{sealjwt.KindRefresh, sealjwt.OutcomeRefused, sealjwt.ReasonReuse},
	} {
		if n := events.Count(c.kind, c.outcome, c.reason); n != 1 {
			t.Errorf("%s %s %q: %d events, want 1", c.kind, c.outcome, c.reason, n)
		}
	}
}
