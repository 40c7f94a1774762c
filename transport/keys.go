package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// DefaultJWKSPath is where a receiver publishes its public keys.
const DefaultJWKSPath = "/.well-known/jwks.json"

// jwksContentType is the media type of a key set (RFC 7517 section 8.5).
const jwksContentType = "application/jwk-set+json"

// A KeySource gives a sender the receiver's current public keys.
type KeySource interface {
	// Keys returns the current set; its primary key is the one to seal to.
	Keys(ctx context.Context) (*seal.PublicKeySet, error)
	// Refresh fetches the set again now, if the source can and its rate
	// limit allows; the client calls it when the receiver answers 422.
	Refresh(ctx context.Context) error
}

// ErrRefreshLimited is returned by Refresh when a forced refresh happened
// less than one interval ago.
var ErrRefreshLimited = errors.New("transport: key refresh rate-limited")

// ErrStaticKeys is returned by Refresh on a fixed key set.
var ErrStaticKeys = errors.New("transport: static key set cannot be refreshed")

// StaticKeys is a KeySource that never changes (keys from a file).
func StaticKeys(set *seal.PublicKeySet) KeySource { return staticKeys{set} }

type staticKeys struct{ set *seal.PublicKeySet }

func (s staticKeys) Keys(context.Context) (*seal.PublicKeySet, error) { return s.set, nil }
func (s staticKeys) Refresh(context.Context) error                    { return ErrStaticKeys }

// JWKSHandler serves keys (use the public set) as a JWKS.
func JWKSHandler(keys *seal.PublicKeySet) http.Handler {
	body, err := keys.MarshalJSON()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			http.Error(w, "key set unavailable", http.StatusInternalServerError)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", jwksContentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	})
}

// KeyFetcher is a KeySource that loads a receiver's JWKS from a URL and
// keeps it fresh: on a schedule, and on demand (an unknown kid) at most
// once per interval. A failed refresh keeps the last good set. Close stops
// it.
type KeyFetcher struct {
	url       string
	plainHTTP bool
	signed    *token.Verifier // nil: the set is not signed
	signedErr error           // from WithKeySetSigner
	client    *http.Client
	interval  time.Duration
	log       *slog.Logger
	observer  sealjwt.Observer

	mu         sync.Mutex
	set        *seal.PublicKeySet
	lastForced time.Time
	newestIAT  time.Time // of the newest signed set accepted: an older one is refused

	ctx    context.Context // ends at Close, cancelling a fetch under way
	cancel context.CancelFunc
	done   chan struct{}
}

// FetcherOption configures a KeyFetcher.
type FetcherOption interface{ applyFetcher(*KeyFetcher) }

type fetcherOption func(*KeyFetcher)

func (f fetcherOption) applyFetcher(k *KeyFetcher) { f(k) }

// WithHTTPClient sets the client used to fetch keys (default: one with a
// 10 second timeout).
func WithHTTPClient(c *http.Client) FetcherOption {
	return fetcherOption(func(f *KeyFetcher) { f.client = c })
}

// WithRefreshInterval sets the schedule (each wait is the interval give or
// take a tenth), and the least time between two forced refreshes: default
// 5 minutes, more than 0.
func WithRefreshInterval(d time.Duration) FetcherOption {
	return fetcherOption(func(f *KeyFetcher) { f.interval = d })
}

// WithPlainHTTP lets a KeyFetcher load keys over plain http from a host
// that is not loopback. By default it refuses to: anyone on the path could
// hand the sender a key of their own. Use it only with a signed key set
// (WithKeySetSigner), or on a network you trust as much as TLS.
func WithPlainHTTP() FetcherOption { return fetcherOption(func(f *KeyFetcher) { f.plainHTTP = true }) }

// ErrInsecureKeyURL is returned for a key set URL that is neither https
// nor on a loopback host, without WithPlainHTTP.
var ErrInsecureKeyURL = fmt.Errorf("%w: key set URL is neither https nor loopback", sealjwt.ErrConfig)

// checkKeyURL accepts https, and http to a loopback host (localhost,
// 127.0.0.0/8, ::1), unless plain http is allowed everywhere.
func checkKeyURL(u *neturl.URL, plainHTTP bool) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("%w: scheme %q", ErrInsecureKeyURL, clip(u.Scheme))
	case plainHTTP || isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInsecureKeyURL, clip(u.Host))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// maxJWKSSize caps a fetched key set, checked while reading.
const maxJWKSSize = 1 << 20

// maxKeyRedirects bounds the redirects followed to a key set.
const maxKeyRedirects = 3

// checkingRedirects returns a copy of c that applies checkKeyURL to every
// redirect hop, before the request to it is sent, and follows at most
// maxKeyRedirects: a plain http hop in the middle of a chain that ends on
// https would hand the rest of the chain to whoever is on that hop. c's
// own CheckRedirect, if any, still runs after.
func (f *KeyFetcher) checkingRedirects(c *http.Client) *http.Client {
	cc := *c
	next := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxKeyRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrInsecureKeyURL, maxKeyRedirects)
		}
		if err := checkKeyURL(req.URL, f.plainHTTP); err != nil {
			return fmt.Errorf("redirect %d: %w", len(via), err)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return &cc
}

// NewKeyFetcher fetches the key set at url once (failing if it cannot) and
// then keeps it fresh in the background until Close. The url must be https
// or on a loopback host (see WithPlainHTTP); so must every redirect it
// leads to.
func NewKeyFetcher(ctx context.Context, url string, opts ...FetcherOption) (*KeyFetcher, error) {
	f := &KeyFetcher{url: url, client: &http.Client{Timeout: 10 * time.Second},
		interval: 5 * time.Minute, log: slog.New(slog.DiscardHandler),
		done: make(chan struct{})}
	for _, o := range opts {
		o.applyFetcher(f)
	}
	if f.interval <= 0 {
		return nil, fmt.Errorf("%w: WithRefreshInterval must be more than 0, got %v", sealjwt.ErrConfig, f.interval)
	}
	if f.signedErr != nil {
		return nil, f.signedErr
	}
	u, err := neturl.Parse(url)
	if err != nil {
		return nil, fmt.Errorf("%w: key set URL: %v", sealjwt.ErrConfig, err)
	}
	if err := checkKeyURL(u, f.plainHTTP); err != nil {
		return nil, err
	}
	f.client = f.checkingRedirects(f.client)
	if err := f.fetchObserved(ctx); err != nil {
		return nil, err
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	go f.loop()
	return f, nil
}

// Keys returns the last good key set.
func (f *KeyFetcher) Keys(context.Context) (*seal.PublicKeySet, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.set, nil
}

// Refresh fetches now, unless a forced refresh ran less than one interval
// ago (ErrRefreshLimited): a flood of unknown kids cannot turn into a flood
// of fetches.
func (f *KeyFetcher) Refresh(ctx context.Context) error {
	f.mu.Lock()
	if !f.lastForced.IsZero() && time.Since(f.lastForced) < f.interval {
		f.mu.Unlock()
		return ErrRefreshLimited
	}
	f.lastForced = time.Now()
	f.mu.Unlock()
	return f.fetchObserved(ctx)
}

// Close stops the background refresh and waits for it to end.
func (f *KeyFetcher) Close() error {
	f.cancel()
	<-f.done
	return nil
}

func (f *KeyFetcher) loop() {
	defer close(f.done)
	t := time.NewTimer(nextRefresh(f.interval))
	defer t.Stop()
	for {
		select {
		case <-f.ctx.Done():
			return
		case <-t.C:
			if err := f.fetchObserved(f.ctx); err != nil && f.ctx.Err() == nil {
				f.log.Warn("sealjwt: key refresh failed; keeping the last good set", "url", f.url, "error", clip(err.Error()))
			}
			t.Reset(nextRefresh(f.interval))
		}
	}
}

// nextRefresh is the wait before a scheduled refresh: the interval, give
// or take a tenth, drawn afresh each time, so that senders started together
// do not all fetch at the same moment.
func nextRefresh(interval time.Duration) time.Duration {
	spread := int64(interval / 5)
	if spread <= 0 {
		return interval
	}
	return interval - interval/10 + time.Duration(rand.Int64N(spread))
}

// ErrKeyFetch is wrapped by every failure to fetch the receiver's key
// set: from NewKeyFetcher, which fails unless the first fetch succeeds, and
// from a refresh. What went wrong is wrapped too (a network error, a
// refused redirect, a key set signature, ...).
var ErrKeyFetch = errors.New("transport: fetch keys")

func (f *KeyFetcher) fetch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	if err != nil {
		return err
	}
	accept := jwksContentType + ", application/json"
	if f.signed != nil {
		accept = SignedJWKSContentType
	}
	req.Header.Set("Accept", accept)
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	defer resp.Body.Close()
	if err := checkKeyURL(resp.Request.URL, f.plainHTTP); err != nil {
		return fmt.Errorf("%w: redirected: %w", ErrKeyFetch, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: status %d", ErrKeyFetch, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	if len(body) > maxJWKSSize {
		return fmt.Errorf("%w: %w: key set larger than %d bytes", ErrKeyFetch, sealjwt.ErrTooLarge, maxJWKSSize)
	}
	var iat time.Time
	if f.signed != nil {
		if body, iat, err = openSignedJWKS(f.signed, body); err != nil {
			return fmt.Errorf("%w: %w", ErrKeyFetch, err)
		}
	}
	set, err := seal.ParsePublicKeySet(body)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKeyFetch, err)
	}
	return f.accept(set, iat)
}

// ErrKeySetRollback is wrapped when a signed key set is older (by its iat)
// than one this fetcher accepted already: a genuine set, replayed to bring
// back a key since retired. It wraps ErrKeySetSignature.
var ErrKeySetRollback = fmt.Errorf("%w: older than the set already accepted", ErrKeySetSignature)

// accept makes set current, unless it is a signed set older than the
// newest one accepted: signed sets only move forward.
func (f *KeyFetcher) accept(set *seal.PublicKeySet, iat time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if iat.Before(f.newestIAT) {
		return fmt.Errorf("%w: %w: iat %s, newest accepted %s", ErrKeyFetch, ErrKeySetRollback,
			iat.UTC().Format(time.RFC3339), f.newestIAT.UTC().Format(time.RFC3339))
	}
	f.set, f.newestIAT = set, iat
	return nil
}
