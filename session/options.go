package session

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
)

// Defaults and bounds of the lifetimes.
const (
	DefaultAccessTokenLifetime = 15 * time.Minute    // access tokens
	minAccessTokenLifetime     = time.Minute         // shortest WithAccessTokenLifetime
	MaxAccessTokenLifetime     = time.Hour           // longest WithAccessTokenLifetime
	defaultSessionLifetime     = 30 * 24 * time.Hour // a family, from login
	DefaultIdleTimeout         = 7 * 24 * time.Hour  // a family, between refreshes
	defaultGrace               = 10 * time.Second    // a retried refresh
	maxGrace                   = time.Minute         // longest WithGrace
	defaultStoreTimeout        = time.Second         // one store call
	maxStoreTimeout            = 30 * time.Second    // longest WithStoreTimeout
	// DefaultRefreshPath is where the refresh cookie is sent: the path the
	// RefreshHandler is served at.
	DefaultRefreshPath = "/auth/refresh"
	// TokenHeader is the header the classic tutorial carries its token in,
	// for WithTokenHeader.
	TokenHeader = "Token"
)

// Delivery says how the login and refresh handlers hand tokens over.
type Delivery int

const (
	// DeliverCookies sets the access and refresh tokens as HttpOnly
	// cookies, for browsers only: a login that asks for JSON, and a
	// refresh without the cookie, are refused with 400 invalid_request.
	DeliverCookies Delivery = iota
	// DeliverTokenResponse answers with an RFC 6749 section 5.1 JSON token
	// response, for API and native clients; no cookie is set or read.
	DeliverTokenResponse
	// DeliverPerRequest, the default, lets each request choose: a login
	// whose Accept header names application/json, and a refresh whose
	// token came in the form body, get a token response; the others get
	// cookies. A refresh token that came in a cookie is always answered
	// with cookies, so that script on the page can never read it.
	DeliverPerRequest
)

// ManagerOption configures NewManager.
type ManagerOption interface{ applyManager(*config) }

// BearerOption configures NewBearer.
type BearerOption interface{ applyBearer(*config) }

// Option configures NewManager and NewBearer alike: the settings of the
// middleware that admits access tokens. The options about issuing tokens,
// the store and cookies are ManagerOptions only, so giving one to
// NewBearer does not compile.
type Option interface {
	ManagerOption
	BearerOption
}

// managerOption is an option only a Manager honours.
type managerOption func(*config)

func (f managerOption) applyManager(c *config) { f(c) }

// sharedOption is an option a Manager and a Bearer both honour.
type sharedOption func(*config)

func (f sharedOption) applyManager(c *config) { f(c) }
func (f sharedOption) applyBearer(c *config)  { f(c) }

type config struct {
	store           Store
	lifetime        time.Duration
	sessionLifetime time.Duration
	idle            time.Duration
	grace           time.Duration
	storeTimeout    time.Duration
	immediate       bool
	sealTo          *seal.KeySet
	singleUse       bool
	replay          replay.Store
	now             func() time.Time
	observer        sealjwt.Observer
	log             *slog.Logger
	header          string
	delivery        Delivery
	refreshPath     string
	sameSite        http.SameSite
	devCookies      bool
	crossOrigin     *http.CrossOriginProtection
}

func defaultConfig() config {
	return config{
		lifetime:        DefaultAccessTokenLifetime,
		sessionLifetime: defaultSessionLifetime,
		idle:            DefaultIdleTimeout,
		grace:           defaultGrace,
		storeTimeout:    defaultStoreTimeout,
		now:             time.Now,
		log:             slog.New(slog.DiscardHandler),
		refreshPath:     DefaultRefreshPath,
		sameSite:        http.SameSiteStrictMode,
		delivery:        DeliverPerRequest,
	}
}

// WithStore sets where refresh-token families live (default: NewMemory(),
// for a single process). nil means the default.
func WithStore(s Store) ManagerOption {
	return managerOption(func(c *config) { c.store = s })
}

// WithAccessTokenLifetime sets the access token lifetime: default
// DefaultAccessTokenLifetime (15 minutes), from 1 minute to
// MaxAccessTokenLifetime (1 hour). A stolen access token is usable for
// this long.
func WithAccessTokenLifetime(d time.Duration) ManagerOption {
	return managerOption(func(c *config) { c.lifetime = d })
}

// WithSessionLifetime sets how long a family lasts from login, however
// often it is refreshed: default 30 days, at
// least the access token lifetime.
func WithSessionLifetime(d time.Duration) ManagerOption {
	return managerOption(func(c *config) { c.sessionLifetime = d })
}

// WithIdleTimeout sets how long a family may go without a refresh before
// it expires: default DefaultIdleTimeout (7 days), more than 0 and at most
// the session lifetime.
func WithIdleTimeout(d time.Duration) ManagerOption {
	return managerOption(func(c *config) { c.idle = d })
}

// WithGrace sets how long after a refresh token was consumed a second use
// of it still gets a session instead of revoking the family: default
// 10 seconds, 0 (disabled) to 1 minute. It lets
// a client whose refresh response was lost, or two tabs refreshing at
// once, carry on; in exchange, a thief who replays a stolen refresh token
// within that window of the holder's own refresh is not detected.
func WithGrace(d time.Duration) ManagerOption {
	return managerOption(func(c *config) { c.grace = d })
}

// WithStoreTimeout sets how long one store call may take: default 1
// second, more than 0 and at most 30
// seconds. Past it the request fails closed with
// ErrStoreUnavailable (503 with Retry-After over HTTP), and a rotation
// still in flight commits nothing: the store checks the deadline by its
// own clock before writing, so the client may present the same refresh
// token again. Keep it below the clients' own timeouts.
func WithStoreTimeout(d time.Duration) ManagerOption {
	return managerOption(func(c *config) { c.storeTimeout = d })
}

// WithImmediateRevocation makes logout, reuse detection and
// RevokeSubject end access tokens at once, on every server, instead of at
// their expiry: the middleware refuses an access token whose session
// (sid) was revoked. Each Manager keeps a copy of the families revoked
// within an access token's lifetime, fed by the store (which must
// implement RevocationFeed), so a request costs a map lookup, not a store
// round trip. While the feed is down (the store unreachable, the
// subscription lost) every access token is refused with 503, until the
// feed is back and has caught up. Call Manager.Close to stop the feed.
func WithImmediateRevocation() ManagerOption {
	return managerOption(func(c *config) { c.immediate = true })
}

// WithSealing seals each access token to the primary public key of keys
// (the API's own HPKE key set) as the project's nested envelope, and opens
// access tokens with keys: the claims are readable neither by the client
// nor by anything that logs the token. nil means no sealing.
func WithSealing(keys *seal.KeySet) ManagerOption {
	return managerOption(func(c *config) { c.sealTo = keys })
}

// WithSingleUse accepts each access token once rather than until it
// expires, remembering token ids in s (nil: an in-memory store).
func WithSingleUse(s replay.Store) Option {
	return sharedOption(func(c *config) { c.singleUse, c.replay = true, s })
}

// replayStore is where WithSingleUse remembers token ids.
func (c *config) replayStore() replay.Store {
	if c.replay == nil {
		return replay.NewMemory()
	}
	return c.replay
}

// WithClock sets the clock tokens and sessions are timed by (default, and
// for nil, time.Now). A Bearer's tokens are timed by its verifier's own
// clock (token.WithClock).
func WithClock(now func() time.Time) ManagerOption {
	return managerOption(func(c *config) { c.now = now })
}

// WithObserver reports logins, refreshes (reuse detections among them),
// logouts and access-token checks to o, one Event each (nil: none). Only
// the session package reports these kinds, so no other observer counts
// them again.
func WithObserver(o sealjwt.Observer) Option {
	return sharedOption(func(c *config) { c.observer = o })
}

// WithLogger sets where refusals are logged (default, and for nil:
// nowhere). Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return sharedOption(func(c *config) { c.log = l })
}

// WithTokenHeader also reads access tokens from the named header, bare
// (TokenHeader, "Token", is the classic tutorial's). Authorization: Bearer
// is always read, so the name may not be Authorization.
func WithTokenHeader(name string) Option {
	return sharedOption(func(c *config) { c.header = http.CanonicalHeaderKey(name) })
}

// WithCrossOriginProtection sets the cross-origin check that every
// cookie-authenticated state-changing request must pass (default, and for
// nil: a fresh http.CrossOriginProtection, which trusts the request's own
// origin only).
func WithCrossOriginProtection(p *http.CrossOriginProtection) ManagerOption {
	return managerOption(func(c *config) { c.crossOrigin = p })
}

// WithDelivery sets how tokens are handed over: DeliverCookies,
// DeliverTokenResponse or DeliverPerRequest (the default: cookies for
// browsers, token responses for clients that ask for them).
func WithDelivery(d Delivery) ManagerOption {
	return managerOption(func(c *config) { c.delivery = d })
}

// WithRefreshPath sets the path of the refresh endpoint (default
// DefaultRefreshPath), which must start with '/': the refresh cookie is
// sent there and nowhere else.
func WithRefreshPath(p string) ManagerOption {
	return managerOption(func(c *config) { c.refreshPath = p })
}

// WithSameSite sets the access cookie's SameSite: http.SameSiteStrictMode
// (the default) or http.SameSiteLaxMode, which keeps a user signed in when
// following a link from another site. The refresh cookie stays Strict.
func WithSameSite(s http.SameSite) ManagerOption {
	return managerOption(func(c *config) { c.sameSite = s })
}

// WithDevelopmentCookies is for local development over plain http: the
// cookies lose the Secure attribute and their __Host- and __Secure-
// prefixes, which browsers only accept over https. The handlers then set
// cookies only for requests to localhost, 127.0.0.1 or [::1]: a request
// to another host that would get cookies is refused with 421 Misdirected
// Request before anything is written to the store. Never use it
// in production: without Secure, a cookie travels over any plain http
// connection to the host.
func WithDevelopmentCookies() ManagerOption {
	return managerOption(func(c *config) { c.devCookies = true })
}

// newConfig applies opts (each through apply) over the defaults and
// checks the result.
func newConfig[O any](opts []O, apply func(O, *config)) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		apply(o, &c)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, c.check()
}

// check reports the first option out of range, naming it, its bounds and
// the value found.
func (c *config) check() error {
	switch {
	case c.lifetime < minAccessTokenLifetime || c.lifetime > MaxAccessTokenLifetime:
		return fmt.Errorf("%w: WithAccessTokenLifetime must be %v to %v, got %v", ErrConfig, minAccessTokenLifetime, MaxAccessTokenLifetime, c.lifetime)
	case c.sessionLifetime < c.lifetime:
		return fmt.Errorf("%w: WithSessionLifetime must be at least the access token lifetime %v, got %v", ErrConfig, c.lifetime, c.sessionLifetime)
	case c.idle <= 0 || c.idle > c.sessionLifetime:
		return fmt.Errorf("%w: WithIdleTimeout must be more than 0 and at most the session lifetime %v, got %v", ErrConfig, c.sessionLifetime, c.idle)
	case c.grace < 0 || c.grace > maxGrace:
		return fmt.Errorf("%w: WithGrace must be 0 to %v, got %v", ErrConfig, maxGrace, c.grace)
	case c.storeTimeout <= 0 || c.storeTimeout > maxStoreTimeout:
		return fmt.Errorf("%w: WithStoreTimeout must be more than 0 and at most %v, got %v", ErrConfig, maxStoreTimeout, c.storeTimeout)
	case c.delivery < DeliverCookies || c.delivery > DeliverPerRequest:
		return fmt.Errorf("%w: WithDelivery must be DeliverCookies, DeliverTokenResponse or DeliverPerRequest, got %d", ErrConfig, c.delivery)
	case c.refreshPath == "" || c.refreshPath[0] != '/':
		return fmt.Errorf("%w: WithRefreshPath must start with /, got %q", ErrConfig, c.refreshPath)
	case c.sameSite != http.SameSiteStrictMode && c.sameSite != http.SameSiteLaxMode:
		return fmt.Errorf("%w: WithSameSite must be http.SameSiteStrictMode or http.SameSiteLaxMode, got %d", ErrConfig, c.sameSite)
	case c.header == "Authorization":
		return fmt.Errorf("%w: WithTokenHeader must not name Authorization, which is always read as Bearer, got %q", ErrConfig, c.header)
	}
	return nil
}
