package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/mediatype"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/token"
)

// errNoToken: the request carries no access token at all.
var errNoToken = errors.New("session: no access token")

// verifyFunc checks one access token.
type verifyFunc func(ctx context.Context, tok string) (*token.Verified, error)

// A Bearer is middleware that admits API requests carrying a valid access
// token, and answers the others with 401 (RFC 6750 section 3) and
// problem+json. A Manager has one for its own tokens; NewBearer makes one
// for tokens that another party signs (the signed-only flow, where clients
// sign their own tokens with a shared secret or their private key). Safe
// for concurrent use.
type Bearer struct {
	cfg         *config
	verify      verifyFunc
	cookie      string // the access cookie's name; "" reads no cookie
	crossOrigin *http.CrossOriginProtection
	revoked     func(sid string) error // WithImmediateRevocation's check; nil without it
}

// Claims are a verified access token: the registered claims and the
// application's (through the embedded token.Verified and its Decode), the
// scopes of its "scope" claim, and its session (the "sid" claim, set by a
// Manager: the refresh-token family).
type Claims struct {
	*token.Verified
	Scopes    []string
	SessionID string
}

// HasScope reports whether the token was granted scope.
func (c *Claims) HasScope(scope string) bool { return slices.Contains(c.Scopes, scope) }

type ctxKey struct{}

// ClaimsFromContext returns the claims of a request that a Bearer (or a
// Manager's Middleware) admitted.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(*Claims)
	return c, ok
}

// NewBearer returns middleware admitting requests whose access token v
// verifies: in Authorization: Bearer, or in the header WithTokenHeader
// names. v must require BearerTokenType (the signed-only flow) or
// AccessTokenType (a Manager's tokens, verified elsewhere): a verifier of
// another kind is refused, so that no other token passes for a bearer. Tokens are reusable until they expire unless WithSingleUse is
// given. For tokens made as the classic tutorial makes them, build v with
// token.WithTutorialCompat.
func NewBearer(v *token.Verifier, opts ...BearerOption) (*Bearer, error) {
	c, err := newConfig(opts, BearerOption.applyBearer)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: nil verifier", ErrConfig)
	}
	if typ := v.Type(); !mediatype.Equal(typ, BearerTokenType) && !mediatype.Equal(typ, AccessTokenType) {
		return nil, fmt.Errorf("%w: the verifier accepts typ %q: a Bearer accepts %q (signed-only) or %q (access tokens) only (token.WithType)",
			ErrConfig, typ, BearerTokenType, AccessTokenType)
	}
	v, err = readAccessClaims(v)
	if err != nil {
		return nil, err
	}
	return newBearer(&c, c.verifierFunc(v)), nil
}

// readAccessClaims returns v reading scope and sid byte for byte, and
// refusing their case variants.
func readAccessClaims(v *token.Verifier) (*token.Verifier, error) {
	return v.ForClaims([]string{"scope", "sid"}, nil)
}

func newBearer(c *config, verify verifyFunc) *Bearer {
	b := &Bearer{cfg: c, verify: verify, crossOrigin: c.crossOrigin}
	if b.crossOrigin == nil {
		b.crossOrigin = http.NewCrossOriginProtection()
	}
	return b
}

// verifierFunc checks tokens with v and, under WithSingleUse, records
// each token id until v would stop accepting the token.
func (c *config) verifierFunc(v *token.Verifier) verifyFunc {
	if !c.singleUse {
		return func(_ context.Context, tok string) (*token.Verified, error) { return v.Verify(tok) }
	}
	ids := c.replayStore()
	return func(ctx context.Context, tok string) (*token.Verified, error) {
		return v.VerifyOnce(ctx, tok, ids, nil)
	}
}

// Authenticate checks an access token and returns its claims.
func (b *Bearer) Authenticate(ctx context.Context, accessToken string) (*Claims, error) {
	return b.authenticate(ctx, accessToken)
}

func (b *Bearer) authenticate(ctx context.Context, tok string) (*Claims, error) {
	v, err := b.verify(ctx, tok)
	if err != nil {
		return nil, err
	}
	scope, hasScope, err := v.StringClaim("scope")
	if err != nil {
		return nil, err
	}
	sid, _, err := v.StringClaim("sid")
	if err != nil {
		return nil, err
	}
	c := &Claims{Verified: v, SessionID: sid}
	if hasScope {
		c.Scopes = strings.Fields(scope)
	}
	if b.revoked != nil {
		if err := b.revoked(c.SessionID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Middleware admits requests with a valid access token, with its Claims
// in the request context (ClaimsFromContext). A token is taken from
// Authorization: Bearer, else the WithTokenHeader header, else (for a
// Manager) the access cookie; a request authenticated by the cookie that
// changes state must also pass the cross-origin check, or gets 403.
// Otherwise: 401 with WWW-Authenticate: Bearer when no token came, with
// Bearer error="invalid_token" when it did not verify (RFC 6750 section
// 3.1), and 503 when the replay store of WithSingleUse cannot answer.
func (b *Bearer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start time.Time
		if b.cfg.observer != nil {
			start = time.Now()
		}
		claims, err := b.admit(r)
		if b.cfg.observer != nil {
			b.cfg.observe(r.Context(), sealjwt.KindAccess, start, err)
		}
		if err != nil {
			b.refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, claims)))
	})
}

// errCrossOrigin wraps the cross-origin check's refusal.
var errCrossOrigin = errors.New("session: cross-origin request refused")

func (b *Bearer) admit(r *http.Request) (*Claims, error) {
	tok, fromCookie := b.tokenOf(r)
	if tok == "" {
		return nil, errNoToken
	}
	if fromCookie {
		if err := b.crossOrigin.Check(r); err != nil {
			return nil, fmt.Errorf("%w: %v", errCrossOrigin, err)
		}
	}
	return b.authenticate(r.Context(), tok)
}

// tokenOf finds the access token and says whether it came from a cookie.
func (b *Bearer) tokenOf(r *http.Request) (string, bool) {
	if tok := bearerToken(r.Header.Get("Authorization")); tok != "" {
		return tok, false
	}
	if b.cfg.header != "" {
		if tok := r.Header.Get(b.cfg.header); tok != "" {
			return tok, false
		}
	}
	if b.cookie != "" {
		if c, err := r.Cookie(b.cookie); err == nil && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// value (the scheme is case-insensitive), or "".
func bearerToken(auth string) string {
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// refuse answers a request the middleware did not admit, and logs why.
func (b *Bearer) refuse(w http.ResponseWriter, r *http.Request, err error) {
	b.cfg.logRefusal(r, "access token refused", err)
	switch {
	case errors.Is(err, errNoToken):
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeProblem(w, http.StatusUnauthorized, "not authenticated", "")
	case errors.Is(err, errCrossOrigin):
		writeProblem(w, http.StatusForbidden, "cross-origin request refused", "")
	case unavailable(err):
		writeUnavailable(w)
	default:
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeProblem(w, http.StatusUnauthorized, "invalid access token", "invalid_token")
	}
}

// unavailable reports an error meaning that a store could not answer: the
// request fails closed with 503.
func unavailable(err error) bool {
	return errors.Is(err, ErrStoreUnavailable) || errors.Is(err, sealjwt.ErrReplayUnavailable) ||
		errors.Is(err, replay.ErrFull)
}

// BearerTransport is an http.RoundTripper for clients of a NewBearer API
// that sign their own tokens (the signed-only flow): each request gets a
// freshly signed token.
type BearerTransport struct {
	base     http.RoundTripper
	signer   *token.Signer
	audience string
	header   string
}

// NewBearerTransport returns a RoundTripper that sends through base (nil
// means http.DefaultTransport), each request with a token that signer
// signs for audience, the API's id. The token goes in header: "" (or
// "Authorization") sends Authorization: Bearer; another name (TokenHeader,
// as the tutorial does) carries it bare, as the API's WithTokenHeader
// expects.
func NewBearerTransport(base http.RoundTripper, signer *token.Signer, audience, header string) *BearerTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	if signer != nil {
		signer, _ = signer.ForType(BearerTokenType) // a valid typ: no error
	}
	return &BearerTransport{base: base, signer: signer, audience: audience, header: header}
}

// RoundTrip signs a token for this request and sends it.
func (t *BearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.sign()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	if t.header == "" || strings.EqualFold(t.header, "Authorization") {
		out.Header.Set("Authorization", "Bearer "+tok)
	} else {
		out.Header.Set(t.header, tok)
	}
	return t.base.RoundTrip(out)
}

func (t *BearerTransport) sign() (string, error) {
	if t.signer == nil {
		return "", fmt.Errorf("%w: no signer", ErrConfig)
	}
	return t.signer.Sign(t.audience, nil)
}
