package webdemo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one browser action: generous for a loaded 2-core CI
// machine, short enough that a hang fails the test rather than the run.
const stepTimeout = 20 * time.Second

// pollInterval is how often waitFor checks its condition.
const pollInterval = 25 * time.Millisecond

// browser is one headless Chromium with a fresh profile, for one test.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string // directory of the screenshots
	n     int    // screenshots taken so far
}

// findChromium returns the browser's path, or skips the test when it is
// missing; under CI=true a missing browser fails instead.
func findChromium(t *testing.T) string {
	t.Helper()
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		if p, lerr := exec.LookPath("chromium"); lerr == nil {
			path = p
		} else {
			msg := fmt.Sprintf("no Chromium at %s or on PATH (apt-get install -y chromium)", chromiumPath)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	return path
}

// startBrowser starts headless Chromium. It accepts any certificate, so
// that httptest's TLS servers can be used, and it runs without the
// sandbox, which cannot start as root.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.IgnoreCertErrors,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first Run starts the browser; it must not carry a timeout, which
	// would end the browser with it.
	start := make(chan error, 1)
	go func() { start <- chromedp.Do(ctx, chromedp.Navigate("about:blank")) }()
	select {
	case err := <-start:
		if err != nil {
			t.Fatalf("starting Chromium: %v", err)
		}
	case <-time.After(2 * stepTimeout):
		t.Fatalf("Chromium did not start within %v", 2*stepTimeout)
	}
	// A temporary directory, kept when go test runs with -artifacts.
	b := &browser{t: t, ctx: ctx, shots: t.ArtifactDir()}
	t.Logf("screenshots in %s", b.shots)
	return b
}

// run runs one action with a timeout and fails the test on error.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.shot("failed " + what)
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs actions that return nothing.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, what, chromedp.Steps(steps...))
}

// waitFor evaluates a JavaScript predicate every pollInterval until it is
// true. It polls from Go rather than inside the page, so that it survives
// the navigations the page makes by itself; an error while the page is
// being replaced counts as "not yet".
func (b *browser) waitFor(what, predicate string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](predicate))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(pollInterval)
	}
	b.shot("failed " + what)
	b.t.Fatalf("waiting until %s (%s): not true after %v (last error: %v)", what, predicate, stepTimeout, last)
}

// eval evaluates a JavaScript expression.
func eval[T any](b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	return run(b, "evaluating "+expr, chromedp.Evaluate[T](expr, opts...))
}

// shot saves a screenshot of the whole page as NN-name.png. A failed screenshot
// is logged, not fatal: it documents a step, it does not test it.
func (b *browser) shot(name string) {
	b.t.Helper()
	b.n++
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, strings.ReplaceAll(name, " ", "-")))
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(file, png, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// cookies reads the browser's cookie jar through the DevTools protocol, as
// someone with access to the machine could: HttpOnly cookies included.
func (b *browser) cookies(urls ...string) map[string]*network.Cookie {
	b.t.Helper()
	res := run(b, "reading the cookie jar", chromedp.Action[network.GetCookiesResult](
		func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
			return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: urls})
		}))
	jar := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		jar[c.Name] = c
	}
	return jar
}
