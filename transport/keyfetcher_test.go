package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/seal"
)

func newPublicSet(t *testing.T) *seal.PublicKeySet {
	t.Helper()
	k, err := seal.GenerateKey(seal.HPKE3)
	if err != nil {
		t.Fatal(err)
	}
	set, err := seal.NewPublicKeySet(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// waitFor polls cond until it holds or a second has passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("after a second: %s", what)
}

func primaryKID(t *testing.T, f *KeyFetcher) string {
	t.Helper()
	set, err := f.Keys(context.Background())
	if err != nil || set == nil || set.Primary() == nil {
		t.Fatalf("keys: %v, %v", set, err)
	}
	return set.Primary().KID()
}

func TestKeyFetcherRefreshesOnSchedule(t *testing.T) {
	jwks := &switchingJWKS{}
	first, second := newPublicSet(t), newPublicSet(t)
	jwks.set(t, first)
	srv := httptest.NewServer(jwks)
	defer srv.Close()
	f, err := NewKeyFetcher(context.Background(), srv.URL, WithRefreshInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := primaryKID(t, f); got != first.Primary().KID() {
		t.Fatalf("first key %s, want %s", got, first.Primary().KID())
	}
	jwks.set(t, second)
	waitFor(t, "the rotated key set was not fetched", func() bool { return primaryKID(t, f) == second.Primary().KID() })
}

// A receiver whose JWKS endpoint fails or serves garbage must not leave the
// sender without keys: the last good set stays in use.
func TestKeyFetcherKeepsLastGoodSet(t *testing.T) {
	good := newPublicSet(t)
	jwks := &switchingJWKS{}
	jwks.set(t, good)
	var broken atomic.Int32 // 0 serves the set, 1 fails, 2 serves garbage
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch broken.Load() {
		case 1:
			http.Error(w, "down", http.StatusInternalServerError)
		case 2:
			w.Header().Set("Content-Type", jwksContentType)
			_, _ = w.Write([]byte(`{"keys":[{"kty":"OKP"`))
		default:
			jwks.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	f, err := NewKeyFetcher(context.Background(), srv.URL, WithRefreshInterval(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, mode := range []int32{1, 2} {
		broken.Store(mode)
		before := hits.Load()
		waitFor(t, "no scheduled refresh", func() bool { return hits.Load() >= before+3 })
		if got := primaryKID(t, f); got != good.Primary().KID() {
			t.Fatalf("mode %d: key %s, want the last good %s", mode, got, good.Primary().KID())
		}
	}
}

func TestKeyFetcherScheduleIsSpread(t *testing.T) {
	const interval = 10 * time.Second
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := nextRefresh(interval)
		if d < interval*9/10 || d >= interval*11/10 {
			t.Fatalf("wait %v outside [0.9, 1.1) of %v", d, interval)
		}
		seen[d] = true
	}
	if len(seen) < 900 {
		t.Fatalf("only %d distinct waits in 1000: senders would fetch in step", len(seen))
	}
	if got := nextRefresh(time.Nanosecond); got != time.Nanosecond {
		t.Fatalf("an interval too short to spread: got %v", got)
	}
}

// jwksClient answers every fetch from memory, after an optional redirect,
// and counts the requests that reach it.
func jwksClient(t *testing.T, set *seal.PublicKeySet, redirectTo string, hits *atomic.Int32) *http.Client {
	body, err := set.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hits.Add(1)
		if redirectTo != "" && r.URL.String() != redirectTo {
			return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {redirectTo}}, Body: http.NoBody, Request: r}, nil
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {jwksContentType}},
			Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
	})}
}

// Anyone on the path of a plain http fetch could hand the sender its own
// key: only https and loopback are fetched unless WithPlainHTTP says so.
func TestAttackKeySetOverPlainHTTPRefused(t *testing.T) {
	set := newPublicSet(t)
	for _, u := range []string{"http://keys.example/jwks", "http://10.0.0.1/jwks", "ftp://keys.example/jwks", "file:///etc/jwks"} {
		var hits atomic.Int32
		_, err := NewKeyFetcher(context.Background(), u, WithHTTPClient(jwksClient(t, set, "", &hits)))
		if !errors.Is(err, ErrInsecureKeyURL) || hits.Load() != 0 {
			t.Errorf("%s: err = %v after %d fetches, want ErrInsecureKeyURL before any", u, err, hits.Load())
		}
	}
	for _, u := range []string{"https://keys.example/jwks", "http://127.0.0.1:9/jwks", "http://localhost/jwks", "http://[::1]/jwks"} {
		var hits atomic.Int32
		f, err := NewKeyFetcher(context.Background(), u, WithHTTPClient(jwksClient(t, set, "", &hits)))
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		f.Close()
	}
	var hits atomic.Int32
	f, err := NewKeyFetcher(context.Background(), "http://keys.example/jwks", WithPlainHTTP(), WithHTTPClient(jwksClient(t, set, "", &hits)))
	if err != nil {
		t.Fatalf("WithPlainHTTP: %v", err)
	}
	f.Close()
}

func TestAttackKeySetRedirectedToPlainHTTPRefused(t *testing.T) {
	var hits atomic.Int32
	client := jwksClient(t, newPublicSet(t), "http://keys.example/jwks", &hits)
	_, err := NewKeyFetcher(context.Background(), "https://keys.example/jwks", WithHTTPClient(client))
	if !errors.Is(err, ErrInsecureKeyURL) {
		t.Fatalf("redirect to http: err = %v, want ErrInsecureKeyURL", err)
	}
}

// A refresh that fails on a hostile key set logs its reason cut short.
func TestKeyRefreshLogCutsUntrustedValues(t *testing.T) {
	jwks := &switchingJWKS{}
	jwks.set(t, newPublicSet(t))
	srv := httptest.NewServer(jwks)
	defer srv.Close()
	var logged observetest.LogBuffer
	f, err := NewKeyFetcher(context.Background(), srv.URL, WithRefreshInterval(10*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hostile := []byte(`{"keys":[{"kty":"OKP","crv":"X25519","alg":"` + strings.Repeat("A", 10<<10) + `","x":"AAAA"}]}`)
	jwks.current.Store(&hostile)
	waitFor(t, "a failed refresh logged", func() bool { return strings.Contains(logged.String(), "refresh failed") })
	for _, line := range strings.Split(logged.String(), "\n") {
		if len(line) > 1024 {
			t.Fatalf("a log line of %d bytes", len(line))
		}
	}
}

// Every way NewKeyFetcher can fail wraps a sentinel: ErrConfig for what
// the caller gave it, ErrKeyFetch when the first fetch failed.
func TestNewKeyFetcherErrorsWrapSentinels(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer failing.Close()
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte(" "), maxJWKSSize+1))
	}))
	defer big.Close()
	for _, c := range []struct {
		name string
		url  string
		opts []FetcherOption
		want []error
	}{
		{"no refresh interval", failing.URL, []FetcherOption{WithRefreshInterval(0)}, []error{sealjwt.ErrConfig}},
		{"unparsable URL", "http://[::1", nil, []error{sealjwt.ErrConfig}},
		{"plain http elsewhere", "http://keys.example/jwks", nil, []error{sealjwt.ErrConfig, ErrInsecureKeyURL}},
		{"status 500", failing.URL, nil, []error{ErrKeyFetch}},
		{"key set over the cap", big.URL, nil, []error{ErrKeyFetch, sealjwt.ErrTooLarge}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewKeyFetcher(context.Background(), c.url, c.opts...)
			if err == nil {
				f.Close()
				t.Fatal("accepted")
			}
			for _, want := range c.want {
				if !errors.Is(err, want) {
					t.Fatalf("%v does not wrap %v", err, want)
				}
			}
		})
	}
}
