package session

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/deadline"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// AccessTokenType is the "typ" of the access tokens a Manager signs (RFC
// 9068), so that they are never mistaken for another kind of JWT signed
// with the same key, nor the reverse.
const AccessTokenType = "at+jwt"

// BearerTokenType is the "typ" of the tokens of the signed-only flow,
// which a client signs itself (NewBearerTransport) and a NewBearer API
// verifies: a kind of its own, so that no other token signed with the
// same key (a message's inner token, say) passes for one.
const BearerTokenType = "bearer+jwt"

// Size limits. Browsers keep cookies of up to 4096 bytes, name included,
// so an access token longer than 4000 bytes (a long subject, many
// scopes, large claims, sealed) is refused at login rather than silently
// dropped by the browser.
const (
	maxClaimsSize      = 1024 // a Grant's application claims, encoded as JSON
	maxAccessTokenSize = 4000
)

// ErrConfig is wrapped by [NewManager], [NewBearer] and
// [BearerTransport.RoundTrip] (without a signer) for options or arguments
// out of range. It is [token.ErrConfig] (and sealjwt.ErrConfig).
var ErrConfig = token.ErrConfig

// reservedClaims are the access-token claims a Manager sets itself.
var reservedClaims = []string{"sub", "scope", "sid"}

// A Manager runs the session lifecycle of one API: it signs short-lived
// access tokens, issues and rotates refresh tokens in families kept in a
// Store, and serves the login, refresh and logout endpoints and the
// middleware that admits requests. Safe for concurrent use.
type Manager struct {
	id     string
	cfg    config
	signer *token.Signer   // signed access tokens
	sealer *sealjwt.Sealer // sealed access tokens (WithSealing)
	sealTo *seal.PublicKey // the API's own public key
	bearer *Bearer
	revoc  *revocations // WithImmediateRevocation
	// unanswered: presentations whose store calls got no answer, so that
	// a client retrying through an outage keeps its grace window.
	unanswered *unansweredRuns
	// takeBacks: rotations answered 503 whose take-back may still run.
	takeBacks *takeBacks
}

// Grant is what a successful login establishes: who, with what scopes,
// and the application's own claims (nil, a map or a struct that encodes as
// a JSON object of at most 1024 bytes, without "sub", "scope",
// "sid" or the registered claims the signer sets). Every access token of
// the session carries all three.
type Grant struct {
	Subject string
	Scopes  []string
	Claims  any
}

// Tokens are what a login or a refresh hands to the client.
type Tokens struct {
	Access          string    // the access token: a JWT, or an envelope with WithSealing
	AccessExpiresAt time.Time // its exp
	Refresh         string    // the refresh token, "<id>.<secret>"
	// RefreshExpiresAt is the latest moment the refresh token can be
	// used: the idle timeout from now, or the session's end if sooner.
	RefreshExpiresAt time.Time
	Scopes           []string
}

// NewManager returns a Manager for the API named id (the issuer and
// audience of its access tokens) that signs them with the primary key of
// keys, and accepts those of its older keys too.
func NewManager(id string, keys *token.KeySet, opts ...ManagerOption) (*Manager, error) {
	c, err := newConfig(opts, ManagerOption.applyManager)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrConfig)
	}
	if c.store == nil {
		c.store = NewMemory()
	}
	m := &Manager{id: id, cfg: c, unanswered: newUnansweredRuns(c.grace),
		takeBacks: newTakeBacks((abandonAttempts + 1) * c.storeTimeout)}
	verify, err := m.newAccessVerifier(keys)
	if err != nil {
		return nil, err
	}
	m.bearer = newBearer(&m.cfg, verify)
	m.bearer.cookie = accessCookieName(c.devCookies)
	if c.immediate {
		feed, ok := c.store.(RevocationFeed)
		if !ok {
			return nil, fmt.Errorf("%w: WithImmediateRevocation needs a store that implements RevocationFeed; %T does not", ErrConfig, c.store)
		}
		m.revoc = startRevocations(feed, c.lifetime+time.Minute, c.storeTimeout)
		m.bearer.revoked = m.revoc.check
	}
	return m, nil
}

// Close stops what the Manager runs in the background: the revocation
// feed of WithImmediateRevocation. The Manager refuses access tokens
// after it (fail closed) if that option is set.
func (m *Manager) Close() error {
	if m.revoc != nil {
		m.revoc.close()
	}
	return nil
}

// newAccessVerifier builds the signer or sealer of access tokens and
// returns the function that checks them.
func (m *Manager) newAccessVerifier(keys *token.KeySet) (verifyFunc, error) {
	c := &m.cfg
	if c.sealTo != nil {
		return m.newSealed(keys)
	}
	var err error
	m.signer, err = token.NewSigner(keys, m.id, token.WithLifetime(c.lifetime),
		token.WithClock(c.now), token.WithType(AccessTokenType))
	if err != nil {
		return nil, err
	}
	v, err := token.NewVerifier(m.id, token.WithType(AccessTokenType), token.WithClock(c.now),
		token.WithMaxLifetime(c.lifetime))
	if err == nil {
		v, err = readAccessClaims(v)
	}
	if err != nil {
		return nil, err
	}
	if err := v.Trust(m.id, keys.Verifying()); err != nil {
		return nil, err
	}
	return c.verifierFunc(v), nil
}

// newSealed sets up sealed access tokens: signed by the Manager's key,
// sealed to its own HPKE key, opened by the root package's Opener. The
// Opener's replay check is what WithSingleUse asks for; without it, each
// token is accepted until it expires.
func (m *Manager) newSealed(keys *token.KeySet) (verifyFunc, error) {
	c := &m.cfg
	signer, err := token.NewSigner(keys, m.id, token.WithLifetime(c.lifetime), token.WithClock(c.now))
	if err != nil {
		return nil, err
	}
	if m.sealer, err = sealjwt.NewSealer(signer, sealjwt.WithSealedType(AccessTokenType)); err != nil {
		return nil, err
	}
	m.sealTo = c.sealTo.Primary().Public()
	var ids replay.Store = reusable{}
	if c.singleUse {
		ids = c.replayStore()
	}
	v, err := token.NewVerifier(m.id, token.WithClock(c.now), token.WithMaxLifetime(c.lifetime))
	if err == nil {
		v, err = readAccessClaims(v)
	}
	if err != nil {
		return nil, err
	}
	if err := v.Trust(m.id, keys.Verifying()); err != nil {
		return nil, err
	}
	o, err := sealjwt.NewOpener(c.sealTo, v, sealjwt.WithReplayStore(ids), sealjwt.WithOpenedType(AccessTokenType))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, tok string) (*token.Verified, error) {
		msg, err := o.Open(ctx, tok)
		if err != nil {
			return nil, err
		}
		return msg.Verified, nil
	}, nil
}

// reusable is the replay store of sealed access tokens without
// WithSingleUse: an access token is valid until it expires.
type reusable struct{}

func (reusable) Check(context.Context, string, string, time.Time) error { return nil }

// ID returns the API's id: the issuer and audience of its access tokens.
func (m *Manager) ID() string { return m.id }

// Login starts a session (a refresh-token family) for g and returns its
// first tokens.
func (m *Manager) Login(ctx context.Context, g Grant) (*Tokens, error) {
	start := time.Now()
	tokens, err := m.login(ctx, g)
	m.observe(ctx, sealjwt.KindLogin, start, err)
	return tokens, err
}

func (m *Manager) login(ctx context.Context, g Grant) (*Tokens, error) {
	claims, err := encodeGrantClaims(g.Claims)
	if err != nil {
		return nil, err
	}
	if g.Subject == "" {
		return nil, fmt.Errorf("%w: a grant needs a subject", ErrConfig)
	}
	now := m.cfg.now()
	fam := Family{ID: randomID(), Subject: g.Subject, Scopes: slices.Clone(g.Scopes), Claims: claims,
		CreatedAt: now, ExpiresAt: now.Add(m.cfg.sessionLifetime)}
	// The access token first: a grant too large for it starts no session.
	tokens, err := m.tokens(ctx, fam, "", now)
	if err != nil {
		return nil, err
	}
	refresh, rec := newRefresh(fam.ID)
	rec.IssuedAt = now
	err = callStoreErr(ctx, m.cfg.storeTimeout, func(ctx context.Context) error { return m.cfg.store.Create(ctx, fam, rec) })
	if err != nil {
		return nil, err
	}
	tokens.Refresh = refresh
	return tokens, nil
}

// Refresh consumes a refresh token and returns the session's next tokens.
// A token used before, outside the grace window, revokes its whole family
// and returns ErrReuse; the other refusals are ErrInvalidRefresh,
// ErrRevoked and ErrSessionExpired, and ErrStoreUnavailable when the store
// cannot answer.
func (m *Manager) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	start := time.Now()
	tokens, err := m.refresh(ctx, refreshToken)
	if errors.Is(err, ErrReuse) {
		m.cfg.log.LogAttrs(ctx, slog.LevelWarn, "sealjwt: refresh token reused; session revoked")
	}
	m.observe(ctx, sealjwt.KindRefresh, start, err)
	return tokens, err
}

func (m *Manager) refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	id, secret, err := splitRefresh(refreshToken)
	if err != nil {
		return nil, err
	}
	now := m.cfg.now()
	request := newRequestID()
	next, rec := successor(secret, request)
	rec.IssuedAt = now
	r := Rotation{ID: id, Hash: sha256.Sum256(secret), Next: rec, Request: request, Now: now,
		Grace: m.cfg.grace, Idle: m.cfg.idle}
	m.unanswered.fill(&r)
	key := unansweredKey{r.ID, r.Hash}
	if m.takeBacks.holding(key) {
		m.unanswered.record(r)
		return nil, errTakeBackPending
	}
	rot, err := callStoreLate(ctx, m.cfg.storeTimeout, func(ctx context.Context) (Rotated, error) {
		r := r // a copy: the call may outlive the deadline, while r is read below
		r.Deadline = CommitDeadline(ctx, m.cfg.storeTimeout)
		return m.cfg.store.Rotate(ctx, r)
	}, func(rot Rotated, err error) {
		m.abandonRetrying(r, rot, err)
		m.takeBacks.add(key, -1)
	})
	switch {
	case errors.Is(err, deadline.ErrNoAnswer):
		m.takeBacks.add(key, +1) // until the late path above has run
	case unavailable(err) && m.abandon(r, rot, err, m.cfg.storeTimeout/4) != nil:
		// The store answered, so it may take the rotation back now, before
		// the 503 and the client's retry; if it cannot in a quarter of the
		// timeout, it keeps trying in the background. Its answer may wrap
		// context.DeadlineExceeded (a driver's own timeout, or one that came
		// with the deadline): only a call given up goes to the late path.
		m.takeBacks.add(key, +1)
		go func() {
			m.abandonRetrying(r, rot, err)
			m.takeBacks.add(key, -1)
		}()
	}
	if unavailable(err) {
		m.unanswered.record(r)
	} else {
		m.unanswered.forget(r)
	}
	if err != nil {
		return nil, err
	}
	if rot.Request != request { // the grace path: the first request's successor
		next, _ = successor(secret, rot.Request)
	}
	return m.tokens(ctx, rot.Family, next, now)
}

// errTakeBackPending answers a token whose previous rotation, answered
// 503, may still be taken back.
var errTakeBackPending = fmt.Errorf("%w: the token's previous rotation is still being taken back", ErrStoreUnavailable)

// callStore runs one store call under the store timeout and answers
// ErrStoreUnavailable when it passes, whether or not the store's client
// honours the context: a paused server must not hold a request for as
// long as its client library keeps retrying.
func callStore[T any](ctx context.Context, timeout time.Duration, call func(context.Context) (T, error)) (T, error) {
	return callStoreLate(ctx, timeout, call, nil)
}

// callStoreLate is callStore that hands an answer arriving after it gave
// up to late (if not nil), in the background.
func callStoreLate[T any](ctx context.Context, timeout time.Duration, call func(context.Context) (T, error), late func(T, error)) (T, error) {
	v, err := deadline.Call(ctx, timeout, call, late)
	if errors.Is(err, deadline.ErrNoAnswer) {
		err = fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	}
	return v, err
}

// abandon takes back a rotation that may have committed though its
// caller answers 503 (the answer came late, or the connection broke
// after the command was sent), if the store can: the client will present
// the same token again, and without a grace window that would otherwise
// be a reuse. The store changes nothing unless r consumed the token.
func (m *Manager) abandon(r Rotation, rot Rotated, err error, timeout time.Duration) error {
	a, ok := m.cfg.store.(Abandoner)
	if !ok || err == nil && (rot.Request != r.Request || rot.InGrace) || err != nil && !unavailable(err) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := a.Abandon(ctx, r); err != nil {
		m.cfg.log.LogAttrs(ctx, slog.LevelWarn, "sealjwt: could not take back a rotation answered 503", slog.String("error", err.Error()))
		return err
	}
	return nil
}

// callStoreErr is callStore for calls that return only an error.
func callStoreErr(ctx context.Context, timeout time.Duration, call func(context.Context) error) error {
	_, err := callStore(ctx, timeout, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) })
	return err
}

// Logout ends the session a refresh token belongs to, consumed or not.
func (m *Manager) Logout(ctx context.Context, refreshToken string) error {
	start := time.Now()
	err := m.logout(ctx, refreshToken)
	m.observe(ctx, sealjwt.KindLogout, start, err)
	return err
}

func (m *Manager) logout(ctx context.Context, refreshToken string) error {
	id, h, err := parseRefresh(refreshToken)
	if err != nil {
		return err
	}
	fam, err := callStore(ctx, m.cfg.storeTimeout, func(ctx context.Context) (Family, error) { return m.cfg.store.Lookup(ctx, id, h) })
	if err != nil {
		return err
	}
	if m.revoc != nil {
		m.revoc.add([]string{fam.ID}) // here at once; elsewhere through the feed
	}
	return callStoreErr(ctx, m.cfg.storeTimeout, func(ctx context.Context) error { return m.cfg.store.RevokeFamily(ctx, fam.ID) })
}

// RevokeSubject ends every session of subject, as after a password
// change. Access tokens already issued stay valid until they expire.
func (m *Manager) RevokeSubject(ctx context.Context, subject string) error {
	return callStoreErr(ctx, m.cfg.storeTimeout, func(ctx context.Context) error { return m.cfg.store.RevokeSubject(ctx, subject) })
}

// Middleware admits requests that carry a valid access token of this
// Manager: see Bearer.Middleware.
func (m *Manager) Middleware(next http.Handler) http.Handler { return m.bearer.Middleware(next) }

// Authenticate checks an access token and returns its claims.
func (m *Manager) Authenticate(ctx context.Context, accessToken string) (*Claims, error) {
	return m.bearer.authenticate(ctx, accessToken)
}

// tokens issues the access token of fam and pairs it with refresh.
func (m *Manager) tokens(ctx context.Context, fam Family, refresh string, now time.Time) (*Tokens, error) {
	access, exp, err := m.issueAccess(ctx, fam, now)
	if err != nil {
		return nil, err
	}
	if len(access) > maxAccessTokenSize {
		return nil, fmt.Errorf("%w: access token of %d bytes exceeds %d: fewer or shorter claims", token.ErrClaims, len(access), maxAccessTokenSize)
	}
	return &Tokens{Access: access, AccessExpiresAt: exp, Refresh: refresh,
		RefreshExpiresAt: earliest(fam.ExpiresAt, now.Add(m.cfg.idle)), Scopes: slices.Clone(fam.Scopes)}, nil
}

// issueAccess signs (and with WithSealing, seals) an access token for
// fam: sub, scope (space-separated, as RFC 9068), sid (the family) and
// the application's claims.
func (m *Manager) issueAccess(ctx context.Context, fam Family, now time.Time) (string, time.Time, error) {
	claims := map[string]json.RawMessage{}
	if len(fam.Claims) > 0 {
		if err := json.Unmarshal(fam.Claims, &claims); err != nil {
			return "", time.Time{}, fmt.Errorf("%w: stored claims: %v", token.ErrClaims, err)
		}
	}
	claims["sub"], _ = json.Marshal(fam.Subject) // strings always marshal
	claims["sid"], _ = json.Marshal(fam.ID)
	if len(fam.Scopes) > 0 {
		claims["scope"], _ = json.Marshal(strings.Join(fam.Scopes, " "))
	}
	exp := now.Add(m.cfg.lifetime).Truncate(time.Second)
	if m.sealer != nil {
		tok, err := m.sealer.Seal(ctx, m.sealTo, m.id, claims)
		return tok, exp, err
	}
	tok, err := m.signer.Sign(m.id, claims)
	return tok, exp, err
}

// encodeGrantClaims encodes a Grant's application claims for the store,
// refusing what the access token could not carry.
func encodeGrantClaims(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding claims: %v", token.ErrClaims, err)
	}
	if string(b) == "null" {
		return nil, nil
	}
	if len(b) > maxClaimsSize {
		return nil, fmt.Errorf("%w: claims of %d bytes exceed %d", token.ErrClaims, len(b), maxClaimsSize)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return nil, fmt.Errorf("%w: claims must encode as a JSON object", token.ErrClaims)
	}
	for member := range members {
		for _, name := range reservedClaims {
			if strings.EqualFold(member, name) { // as a decoder ignoring case would read it
				return nil, fmt.Errorf("%w: claim %.32q is set by the Manager (%q)", token.ErrClaims, member, name)
			}
		}
	}
	return b, nil
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// abandonAttempts bounds the tries of a take-back in the background, a
// store timeout apart: five seconds of them with the default timeout.
const abandonAttempts = 5

// abandonRetrying is abandon in the background, tried up to
// abandonAttempts times, each a store timeout after the previous one
// began: the store that lost an answer may lose the next, and a
// PostgreSQL server that was stopped first starts a backend for every
// connection that waited meanwhile, so the take-backs of its first second
// back may time out too. Without a grace window, the client's retry after
// a take-back that gave up is a reuse.
func (m *Manager) abandonRetrying(r Rotation, rot Rotated, err error) {
	for range abandonAttempts {
		next := time.Now().Add(m.cfg.storeTimeout)
		if m.abandon(r, rot, err, m.cfg.storeTimeout) == nil {
			return
		}
		time.Sleep(time.Until(next)) // a store refusing at once gets no burst of tries
	}
}

// CommitDeadline is the Rotation.Deadline for a store call under ctx
// with the given timeout: a quarter of the timeout before ctx's deadline,
// so that the answer to a rotation the store commits has that long to
// travel back before the caller gives up and answers 503.
func CommitDeadline(ctx context.Context, timeout time.Duration) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Time{}
	}
	return d.Add(-timeout / 4)
}
