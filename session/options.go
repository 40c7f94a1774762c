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
	DefaultLifetime        = 15 * time.Minute    // access tokens
	MinLifetime            = time.Minute         // shortest WithLifetime
	MaxLifetime            = time.Hour           // longest WithLifetime
	DefaultSessionLifetime = 30 * 24 * time.Hour // a family, from login
	DefaultIdleTimeout     = 7 * 24 * time.Hour  // a family, between refreshes
	DefaultGrace           = 10 * time.Second    // a retried refresh
	MaxGrace               = time.Minute         // longest WithGrace
	DefaultStoreTimeout    = time.Second         // one store call
	MaxStoreTimeout        = 30 * time.Second    // longest WithStoreTimeout
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

// Option configures NewManager and NewBearer. Options that only a Manager
// can honour (those about issuing tokens, the store and cookies) make
// NewBearer fail.
type Option func(*config)

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
	managerOnly     []string // names of the options NewBearer refuses
}

func defaultConfig() config {
	return config{
		lifetime:        DefaultLifetime,
		sessionLifetime: DefaultSessionLifetime,
		idle:            DefaultIdleTimeout,
		grace:           DefaultGrace,
		storeTimeout:    DefaultStoreTimeout,
		now:             time.Now,
		log:             slog.New(slog.DiscardHandler),
		refreshPath:     DefaultRefreshPath,
		sameSite:        http.SameSiteStrictMode,
		delivery:        DeliverPerRequest,
	}
}

// managerOption marks an option NewBearer cannot honour.
func managerOption(name string, set func(*config)) Option {
	return func(c *config) {
		set(c)
		c.managerOnly = append(c.managerOnly, name)
	}
}

// WithStore sets where refresh-token families live (default: NewMemory(),
// for a single process).
func WithStore(s Store) Option {
	return managerOption("WithStore", func(c *config) { c.store = s })
}

// WithLifetime sets the access token lifetime: default 15 minutes, from 1
// minute to 1 hour. A stolen access token is usable for this long.
func WithLifetime(d time.Duration) Option {
	return managerOption("WithLifetime", func(c *config) { c.lifetime = d })
}

// WithSessionLifetime sets how long a family lasts from login, however
// often it is refreshed (default 30 days).
func WithSessionLifetime(d time.Duration) Option {
	return managerOption("WithSessionLifetime", func(c *config) { c.sessionLifetime = d })
}

// WithIdleTimeout sets how long a family may go without a refresh before
// it expires (default 7 days).
func WithIdleTimeout(d time.Duration) Option {
	return managerOption("WithIdleTimeout", func(c *config) { c.idle = d })
}

// WithGrace sets how long after a refresh token was consumed a second use
// of it still gets a session instead of revoking the family (default 10
// seconds; 0 disables; at most 1 minute). It lets a client whose refresh
// response was lost, or two tabs refreshing at once, carry on; in
// exchange, a thief who replays a stolen refresh token within that window
// of the holder's own refresh is not detected.
func WithGrace(d time.Duration) Option {
	return managerOption("WithGrace", func(c *config) { c.grace = d })
}

// WithStoreTimeout sets how long one store call may take (default 1
// second, at most 30 seconds). Past it the request fails closed with
// ErrStoreUnavailable (503 with Retry-After over HTTP), and a rotation
// still in flight commits nothing: the store checks the deadline by its
// own clock before writing, so the client may present the same refresh
// token again. Keep it below the clients' own timeouts.
func WithStoreTimeout(d time.Duration) Option {
	return managerOption("WithStoreTimeout", func(c *config) { c.storeTimeout = d })
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
func WithImmediateRevocation() Option {
	return managerOption("WithImmediateRevocation", func(c *config) { c.immediate = true })
}

// WithSealing seals each access token to the primary public key of keys
// (the API's own HPKE key set) as the project's nested envelope, and opens
// access tokens with keys: the claims are readable neither by the client
// nor by anything that logs the token.
func WithSealing(keys *seal.KeySet) Option {
	return managerOption("WithSealing", func(c *config) { c.sealTo = keys })
}

// WithSingleUse accepts each access token once rather than until it
// expires, remembering token ids in s (nil: an in-memory store).
func WithSingleUse(s replay.Store) Option {
	return func(c *config) { c.singleUse, c.replay = true, s }
}

// replayStore is where WithSingleUse remembers token ids.
func (c *config) replayStore() replay.Store {
	if c.replay == nil {
		return replay.NewMemory()
	}
	return c.replay
}

// WithClock sets the clock tokens and sessions are timed by (tests).
func WithClock(now func() time.Time) Option {
	return managerOption("WithClock", func(c *config) { c.now = now })
}

// WithObserver reports logins, refreshes (reuse detections among them),
// logouts and access-token checks to o.
func WithObserver(o sealjwt.Observer) Option {
	return func(c *config) { c.observer = o }
}

// WithLogger sets where refusals are logged (default: nowhere). Tokens
// are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// WithTokenHeader also reads access tokens from the named header, bare
// (TokenHeader, "Token", is the classic tutorial's). Authorization: Bearer
// is always read.
func WithTokenHeader(name string) Option {
	return func(c *config) { c.header = http.CanonicalHeaderKey(name) }
}

// WithCrossOriginProtection sets the cross-origin check that every
// cookie-authenticated state-changing request must pass (default: a fresh
// http.CrossOriginProtection, which trusts the request's own origin only).
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return func(c *config) { c.crossOrigin = p }
}

// WithDelivery sets how tokens are handed over (default DeliverPerRequest:
// cookies for browsers, token responses for clients that ask for them).
func WithDelivery(d Delivery) Option {
	return managerOption("WithDelivery", func(c *config) { c.delivery = d })
}

// WithRefreshPath sets the path of the refresh endpoint (default
// DefaultRefreshPath): the refresh cookie is sent there and nowhere else.
func WithRefreshPath(p string) Option {
	return managerOption("WithRefreshPath", func(c *config) { c.refreshPath = p })
}

// WithSameSite sets the access cookie's SameSite: http.SameSiteStrictMode
// (the default) or http.SameSiteLaxMode, which keeps a user signed in when
// following a link from another site. The refresh cookie stays Strict.
func WithSameSite(s http.SameSite) Option {
	return managerOption("WithSameSite", func(c *config) { c.sameSite = s })
}

// WithDevelopmentCookies is for local development over plain http: the
// cookies lose the Secure attribute and their __Host- and __Secure-
// prefixes, which browsers only accept over https. The handlers then set
// cookies only for requests to localhost, 127.0.0.1 or [::1]: a request
// to another host that would get cookies is refused with 421 Misdirected
// Request before anything is written to the store. Never use it
// in production: without Secure, a cookie travels over any plain http
// connection to the host.
func WithDevelopmentCookies() Option {
	return managerOption("WithDevelopmentCookies", func(c *config) { c.devCookies = true })
}

// check reports the first option out of range.
func (c *config) check() error {
	switch {
	case c.lifetime < MinLifetime || c.lifetime > MaxLifetime:
		return fmt.Errorf("%w: access token lifetime %v is outside %v to %v", ErrConfig, c.lifetime, MinLifetime, MaxLifetime)
	case c.sessionLifetime < c.lifetime:
		return fmt.Errorf("%w: session lifetime %v is shorter than the access token's", ErrConfig, c.sessionLifetime)
	case c.idle <= 0 || c.idle > c.sessionLifetime:
		return fmt.Errorf("%w: idle timeout %v is outside 0 to the session lifetime", ErrConfig, c.idle)
	case c.grace < 0 || c.grace > MaxGrace:
		return fmt.Errorf("%w: grace %v is outside 0 to %v", ErrConfig, c.grace, MaxGrace)
	case c.storeTimeout <= 0 || c.storeTimeout > MaxStoreTimeout:
		return fmt.Errorf("%w: store timeout %v is outside 0 to %v", ErrConfig, c.storeTimeout, MaxStoreTimeout)
	case c.now == nil || c.log == nil:
		return fmt.Errorf("%w: nil clock or logger", ErrConfig)
	case c.delivery < DeliverCookies || c.delivery > DeliverPerRequest:
		return fmt.Errorf("%w: unknown delivery %d", ErrConfig, c.delivery)
	case c.refreshPath == "" || c.refreshPath[0] != '/':
		return fmt.Errorf("%w: refresh path %q must start with /", ErrConfig, c.refreshPath)
	case c.sameSite != http.SameSiteStrictMode && c.sameSite != http.SameSiteLaxMode:
		return fmt.Errorf("%w: SameSite must be Strict or Lax", ErrConfig)
	case c.header == "Authorization":
		return fmt.Errorf("%w: Authorization is always read, as Bearer", ErrConfig)
	}
	return nil
}
