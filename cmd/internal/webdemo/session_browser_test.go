package webdemo

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/sealjwt/sealjwt/token"
)

// offsetClock is the real clock plus an offset the test moves forward, so
// that tokens expire without the test waiting for them.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// pastExpiry is how far to move the clock for an access token to expire:
// its lifetime and the verifier's leeway.
func pastExpiry(cfg Config) time.Duration {
	return cfg.AccessLifetime + token.DefaultLeeway + time.Second
}

// sessionSite is the demo over TLS, as the browser sees it.
type sessionSite struct {
	t     *testing.T
	demo  *Demo
	srv   *httptest.Server
	clock *offsetClock
}

func (s *sessionSite) url(path string) string { return s.srv.URL + path }

// jar reads the session cookies, the path-limited refresh cookie included.
func (s *sessionSite) jar(b *browser) (access, refresh *network.Cookie) {
	jar := b.cookies(s.url("/"), s.url(refreshPath), s.url(logoutPath))
	return jar[s.demo.accessCookie], jar[s.demo.refreshCookie]
}

// TestBrowserSessionLifecycle drives the demo's pages in Chromium over
// HTTPS, so that the real cookie attributes (Secure, the __Host- prefix,
// HttpOnly, SameSite) are in force, through a whole session: login, the
// protected API, silent refreshes (by the page's timer before expiry, and
// after a 401 past it), a stolen refresh token replayed by an attacker, a
// cross-origin form POST, the page's own replay demonstration, and logout.
// The server's clock is moved forward rather than waited for.
func TestBrowserSessionLifecycle(t *testing.T) {
	b := startBrowser(t)
	clock := &offsetClock{}
	// The server's certificate exists once it starts, and the demo's
	// attacker must trust it: the handler is set just after.
	var demo atomic.Pointer[Demo]
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { demo.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	// A short grace window, so that the page's own replay demonstration
	// does not keep the test waiting.
	d, err := New(Config{Now: clock.Now, Grace: 300 * time.Millisecond, RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	demo.Store(d)
	s := &sessionSite{t: t, demo: d, srv: srv, clock: clock}

	first := loginSetsCookiesScriptsCannotRead(t, b, s)
	protectedAPIAnswers(t, b, s)
	second := accessTokenNearExpiryRefreshesSilently(t, b, s, first)
	third := expiredAccessTokenRefreshesSilently(t, b, s, second)
	stolenRefreshTokenReplayRevokesTheFamily(t, b, s, third)
	crossOriginFormPostIsRefused(t, b, s)
	replayButtonShowsTheAttackCaught(t, b, s)
	logoutClearsBothCookies(t, b, s)
}

// login logs in through the login page and waits for the protected page.
func login(b *browser, s *sessionSite) {
	b.t.Helper()
	b.do("opening the login page", chromedp.Navigate(s.url(loginPage)))
	b.do("submitting the login form", chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor("the protected page shows the user",
		fmt.Sprintf(`location.pathname === %q && document.getElementById("subject").textContent === %q`, appPage, User))
}

// backOnLoginWith waits for the login page to show why the session ended.
func backOnLoginWith(b *browser, reason string) {
	b.t.Helper()
	b.waitFor("the page is back on the login page, saying why ("+reason+")",
		fmt.Sprintf(`location.pathname === %q && new URLSearchParams(location.search).get("reason") === %q && !document.getElementById("reason").hidden`,
			loginPage, reason))
}

func loginSetsCookiesScriptsCannotRead(t *testing.T, b *browser, s *sessionSite) *network.Cookie {
	login(b, s)
	b.shot("logged in")
	access, refresh := s.jar(b)
	if access == nil || refresh == nil {
		t.Fatalf("after login the cookie jar holds access %v and refresh %v; want both", access, refresh)
	}
	for _, c := range []*network.Cookie{access, refresh} {
		if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteStrict {
			t.Errorf("cookie %s: HttpOnly %v, Secure %v, SameSite %q; want true, true, Strict", c.Name, c.HTTPOnly, c.Secure, c.SameSite)
		}
	}
	if !strings.HasPrefix(access.Name, "__Host-") || access.Path != "/" {
		t.Errorf("access cookie %s with Path %s; want the __Host- prefix and Path /", access.Name, access.Path)
	}
	if refresh.Path == "/" {
		t.Errorf("refresh cookie %s has Path /; want it limited to the session endpoints", refresh.Name)
	}
	if got := eval[string](b, "document.cookie"); got != "" {
		t.Errorf("document.cookie = %q; want \"\": the session cookies must be out of reach of scripts", got)
	}
	return refresh
}

func protectedAPIAnswers(t *testing.T, b *browser, s *sessionSite) {
	status := eval[int](b, fmt.Sprintf(`fetch(%q).then(r => r.status)`, mePath), chromedp.EvalAwaitPromise)
	if status != http.StatusOK {
		t.Fatalf("GET %s from the page: %d; want 200", mePath, status)
	}
}

// accessTokenNearExpiryRefreshesSilently moves the clock to just inside
// the page's refresh margin: the page's own timer refreshes, before the
// token expires.
func accessTokenNearExpiryRefreshesSilently(t *testing.T, b *browser, s *sessionSite, before *network.Cookie) *network.Cookie {
	lifetime := s.demo.cfg.AccessLifetime
	s.clock.advance(lifetime - refreshMargin(lifetime) + time.Second)
	return silentRefresh(t, b, s, before, 1, "before expiry")
}

// expiredAccessTokenRefreshesSilently moves the clock past expiry: the
// API answers 401, and the page refreshes and calls it again.
func expiredAccessTokenRefreshesSilently(t *testing.T, b *browser, s *sessionSite, before *network.Cookie) *network.Cookie {
	s.clock.advance(pastExpiry(s.demo.cfg))
	return silentRefresh(t, b, s, before, 2, "after a 401")
}

// silentRefresh has the page call the API, waits for its n-th refresh
// (logged with why) and the API's answer after it, and returns the new
// refresh cookie.
func silentRefresh(t *testing.T, b *browser, s *sessionSite, before *network.Cookie, n int, why string) *network.Cookie {
	t.Helper()
	b.do("calling the API", chromedp.Click(chromedp.CSS("#call")))
	b.waitFor(fmt.Sprintf("the page has refreshed %d times (%s) and the API answered again", n, why),
		fmt.Sprintf(`document.getElementById("refreshes").textContent === "%d" && `+
			`document.getElementById("log").children[1].textContent.includes(%q) && `+
			`document.getElementById("log").children[0].textContent.includes("API answered 200")`, n, "("+why+")"))
	b.shot("silent refresh " + why)
	_, after := s.jar(b)
	if after == nil || after.Value == before.Value {
		t.Fatalf("after a silent refresh (%s) the refresh cookie is %v; want a new value", why, after)
	}
	return after
}

func stolenRefreshTokenReplayRevokesTheFamily(t *testing.T, b *browser, s *sessionSite, stolen *network.Cookie) {
	// The attacker replays the copied token from outside the browser.
	attacker := s.srv.Client()
	status, attackerToken := postRefresh(t, attacker, s, stolen.Value)
	if status != http.StatusOK {
		t.Fatalf("the attacker's replay of a fresh refresh token: %d; want 200 (the server cannot tell who is the thief yet)", status)
	}
	// The browser's next refresh, past the grace window, presents a
	// consumed token: the family is revoked and the page lands on login.
	s.clock.advance(pastExpiry(s.demo.cfg))
	b.do("calling the API after the attacker's replay", chromedp.Click(chromedp.CSS("#call")))
	backOnLoginWith(b, "reused")
	b.shot("reuse detected back on login")
	if status, _ := postRefresh(t, attacker, s, attackerToken); status != http.StatusBadRequest {
		t.Errorf("the attacker's own refresh token after the reuse: %d; want 400 (its family is revoked)", status)
	}
	if access, refresh := s.jar(b); access != nil || refresh != nil {
		t.Errorf("after the refused refresh the jar holds access %v and refresh %v; want neither", access, refresh)
	}
}

// postRefresh presents a refresh token the way any HTTP client can, and
// returns the status and the successor token, if any.
func postRefresh(t *testing.T, c *http.Client, s *sessionSite, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url(refreshPath), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: s.demo.refreshCookie, Value: token})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == s.demo.refreshCookie && c.MaxAge >= 0 && c.Value != "" {
			return resp.StatusCode, c.Value
		}
	}
	return resp.StatusCode, ""
}

// crossOriginFormPostIsRefused submits a form to the logout endpoint from
// a page on another origin (another port of the same host, so the
// SameSite=Strict cookies do go along): the server must answer 403 and
// the session must live on.
func crossOriginFormPostIsRefused(t *testing.T, b *browser, s *sessionSite) {
	login(b, s)
	evil := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s"><button id="go">Win a prize</button></form>`,
			s.url(logoutPath))
	}))
	t.Cleanup(evil.Close)
	b.do("opening the other origin's page", chromedp.Navigate(evil.URL))
	b.do("submitting its form", chromedp.Click(chromedp.CSS("#go")))
	b.waitFor("the form's answer has loaded",
		fmt.Sprintf(`location.href === %q && document.readyState === "complete"`, s.url(logoutPath)))
	b.shot("cross-origin post refused")
	if status := eval[int](b, `performance.getEntriesByType("navigation")[0].responseStatus`); status != http.StatusForbidden {
		t.Errorf("cross-origin form POST to %s: %d; want 403", logoutPath, status)
	}
	if access, refresh := s.jar(b); access == nil || refresh == nil {
		t.Errorf("after the refused cross-origin POST the jar holds access %v and refresh %v; want both still", access, refresh)
	}
}

// replayButtonShowsTheAttackCaught clicks the page's own demonstration:
// the server replays the browser's refresh token as an attacker, over a
// real connection to the page's own host; the page says when it will
// refresh, and that refresh, past the grace window, ends the session
// within the time the page stated.
func replayButtonShowsTheAttackCaught(t *testing.T, b *browser, s *sessionSite) {
	b.do("opening the protected page", chromedp.Navigate(s.url(appPage)))
	b.waitFor("the protected page shows the user", fmt.Sprintf(`document.getElementById("subject").textContent === %q`, User))
	pressReplayAndWaitForLogin(t, b)
}

// pressReplayAndWaitForLogin presses the replay button, checks the
// page's messages, and waits for the login page that says the session
// was revoked for reuse. The time from the page showing the replay's
// answer to the login page's navigation is taken by the browser's own
// clock: the refresh the page announced, plus that refresh's round trip
// (replyAllowance), on a loaded machine.
func pressReplayAndWaitForLogin(t *testing.T, b *browser) {
	t.Helper()
	b.do("watching for the replay's answer", chromedp.Evaluate[chromedp.Void](`(() => {
		const out = document.getElementById("attacker");
		window.replayAnsweredAt = 0;
		new MutationObserver(() => { if (!out.hidden && !window.replayAnsweredAt) window.replayAnsweredAt = Date.now(); })
			.observe(out, {attributes: true, childList: true, characterData: true, subtree: true});
	})()`))
	b.do("replaying the stolen refresh token", chromedp.Click(chromedp.CSS("#replay")))
	b.waitFor("the page reports the attacker's session",
		`!document.getElementById("attacker").hidden && document.getElementById("attacker").textContent.includes("session of the attacker's own")`)
	answeredAt := eval[float64](b, `window.replayAnsweredAt`)
	if msg := eval[string](b, `document.getElementById("attacker").textContent`); !strings.Contains(msg, "answered 200") {
		t.Errorf("the page's report of the replay: %q; want the server's 200 to the attacker", msg)
	}
	stated := eval[float64](b, `(() => { for (const li of document.getElementById("log").children) {
		const m = li.textContent.match(/This page will refresh in (\d+(?:\.\d+)?) s, with the token the attacker already spent/);
		if (m) return Number(m[1]); } return -1; })()`)
	if stated <= 0 {
		t.Fatalf("the page's log does not say when it will refresh: %q", eval[string](b, `document.getElementById("log").textContent`))
	}
	b.shot("attacker replayed the refresh token")
	backOnLoginWith(b, "reused")
	took := time.Duration(eval[float64](b, `performance.timeOrigin`)-answeredAt) * time.Millisecond
	t.Logf("the login page came %v after the replay's answer; the page said it would refresh in %g s", took, stated)
	want := time.Duration(stated * float64(time.Second))
	if took > want+replyAllowance || took < want {
		t.Errorf("the login page came %v after the replay's answer; the page said it would refresh in %g s (allowing %v for that refresh)",
			took, stated, replyAllowance)
	}
	if msg := eval[string](b, `document.getElementById("reason").textContent`); !strings.Contains(msg, "used twice") {
		t.Errorf("the login page says %q; want why the session ended (a refresh token used twice)", msg)
	}
	b.shot("replay caught back on login")
}

// replyAllowance is how long the page's refresh after the replay may take
// to be answered, on a loaded 2-core machine.
const replyAllowance = 1500 * time.Millisecond

func logoutClearsBothCookies(t *testing.T, b *browser, s *sessionSite) {
	login(b, s)
	b.do("logging out", chromedp.Click(chromedp.CSS("#logout")))
	backOnLoginWith(b, "loggedout")
	b.shot("logged out")
	if access, refresh := s.jar(b); access != nil || refresh != nil {
		t.Errorf("after logout the jar holds access %v and refresh %v; want neither", access, refresh)
	}
}

// TestBrowserDemoOverPlainHTTP runs the demo as "sealjwt demo --web" does,
// over plain http on loopback, and logs in and out in Chromium: the
// development cookies (no Secure, no prefix) are kept by the browser, still
// out of reach of scripts, and the page says it runs in development mode.
// Its replay button works there too: the attacker's request reaches the
// server with the page's own loopback host, and the page is back on the
// login page within the time it states.
func TestBrowserDemoOverPlainHTTP(t *testing.T) {
	b := startBrowser(t)
	base := serveInBackground(t)
	b.do("opening the login page", chromedp.Navigate(base+loginPage))
	b.do("submitting the login form", chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor("the protected page shows the user and the development notice",
		fmt.Sprintf(`document.getElementById("subject")?.textContent === %q && document.getElementById("dev") !== null`, User))
	b.shot("development mode logged in")
	access, refresh := "access", "refresh" // the prefixes dropped
	jar := b.cookies(base+"/", base+refreshPath)
	for _, name := range []string{access, refresh} {
		c := jar[name]
		if c == nil || c.Secure || !c.HTTPOnly {
			t.Errorf("development cookie %s: %+v; want one kept, HttpOnly, not Secure", name, c)
		}
	}
	if got := eval[string](b, "document.cookie"); got != "" {
		t.Errorf("document.cookie = %q; want \"\"", got)
	}
	pressReplayAndWaitForLogin(t, b)
	b.do("logging in again", chromedp.Click(chromedp.CSS("#submit")))
	b.waitFor("the protected page shows the user", fmt.Sprintf(`document.getElementById("subject")?.textContent === %q`, User))
	b.do("logging out", chromedp.Click(chromedp.CSS("#logout")))
	backOnLoginWith(b, "loggedout")
	if jar := b.cookies(base+"/", base+refreshPath); len(jar) != 0 {
		t.Errorf("after logout the jar holds %d cookies; want none", len(jar))
	}
}
