package webdemo

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/observetest"
)

// TestServeOverPlainHTTPUsesTheDevelopmentCookies runs the command's
// server as a user would, logs in with a plain HTTP client, and checks
// that over http the cookies drop Secure and the __Host- prefix (or no
// browser would keep them), that the pages say so, and that the session
// works end to end.
func TestServeOverPlainHTTPUsesTheDevelopmentCookies(t *testing.T) {
	base := serveInBackground(t)
	c := &http.Client{Timeout: 10 * time.Second}
	c.Jar, _ = cookiejar.New(nil)

	if page := get(t, c, base+loginPage); !strings.Contains(page, `id="dev"`) {
		t.Errorf("the login page over http does not say it runs in development mode:\n%s", page)
	}
	resp, err := c.PostForm(base+loginPath, url.Values{"username": {User}, "password": {Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d; want 200", resp.StatusCode)
	}
	if len(resp.Cookies()) < 2 {
		t.Fatalf("login set %d cookies; want the access and the refresh cookie", len(resp.Cookies()))
	}
	for _, ck := range resp.Cookies() {
		if ck.Secure || strings.HasPrefix(ck.Name, "__Host-") || strings.HasPrefix(ck.Name, "__Secure-") || !ck.HttpOnly {
			t.Errorf("cookie %s over http: Secure %v, HttpOnly %v; want a development cookie: not Secure, no prefix, HttpOnly",
				ck.Name, ck.Secure, ck.HttpOnly)
		}
	}
	if me := get(t, c, base+mePath); !strings.Contains(me, `"subject":"`+User+`"`) {
		t.Errorf("GET %s after login: %s", mePath, me)
	}
}

// serveInBackground starts Serve on a free loopback port and returns the
// URL it printed; the server stops when the test ends.
func serveInBackground(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &observetest.LogBuffer{}
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, DefaultAddr, out, Config{}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	printedURL := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(pollInterval) {
		if base := printedURL.FindString(out.String()); base != "" {
			return base
		}
	}
	t.Fatalf("Serve printed no http://127.0.0.1 URL: %q", out.String())
	return ""
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}
