package transport

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/token"
)

// DefaultTokenHeader is the header of the signed-only flow: a plain signed
// JWT in "Token", as in the classic shared-secret tutorial setup.
const DefaultTokenHeader = "Token"

// SignedOnlyOption configures SignedOnly.
type SignedOnlyOption func(*signedOnlyConfig)

type signedOnlyConfig struct {
	header string
	replay replay.Store
	log    *slog.Logger
}

// WithTokenHeader sets the header that carries the token (default
// "Token"). For "Authorization" the "Bearer " scheme is required.
func WithTokenHeader(name string) SignedOnlyOption {
	return func(c *signedOnlyConfig) { c.header = name }
}

// WithSignedReplayStore sets where token ids are remembered (default: in
// memory). Each token is accepted once.
func WithSignedReplayStore(s replay.Store) SignedOnlyOption {
	return func(c *signedOnlyConfig) { c.replay = s }
}

// WithSignedLogger sets where refused requests are logged.
func WithSignedLogger(l *slog.Logger) SignedOnlyOption {
	return func(c *signedOnlyConfig) { c.log = l }
}

// SignedOnly returns middleware that admits requests carrying a valid
// signed JWT in a header, verified by v (an HS256 shared secret or public
// keys), and answers anything else with 401 problem+json. Nothing is
// encrypted: use it where only authenticity is needed and the channel is
// already confidential (TLS). Each token is accepted once.
func SignedOnly(v *token.Verifier, opts ...SignedOnlyOption) func(http.Handler) http.Handler {
	c := signedOnlyConfig{header: DefaultTokenHeader, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	if c.replay == nil {
		c.replay = replay.NewMemory()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			verified, err := c.verify(v, r)
			if err != nil {
				c.log.LogAttrs(r.Context(), slog.LevelInfo, "sealjwt: signed request refused",
					slog.String("path", r.URL.Path), slog.String("error", err.Error()))
				// 401 for anything wrong with the token, replays included;
				// 503 only when the replay store cannot answer (fail closed).
				status, title := errorStatus(err)
				if status != http.StatusServiceUnavailable {
					status, title = http.StatusUnauthorized, "not authenticated"
				}
				writeProblem(w, status, title, c.scheme())
				return
			}
			next.ServeHTTP(w, r.WithContext(withVerified(r.Context(), verified)))
		})
	}
}

var errNoToken = errors.New("transport: no token")

// scheme is the WWW-Authenticate challenge: Bearer for the Authorization
// header (RFC 6750), none for a custom header.
func (c *signedOnlyConfig) scheme() string {
	if strings.EqualFold(c.header, "Authorization") {
		return "Bearer"
	}
	return ""
}

func (c *signedOnlyConfig) verify(v *token.Verifier, r *http.Request) (*token.Verified, error) {
	raw := r.Header.Get(c.header)
	if strings.EqualFold(c.header, "Authorization") {
		scheme, rest, ok := strings.Cut(raw, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, errNoToken
		}
		raw = rest
	}
	if raw == "" {
		return nil, errNoToken
	}
	verified, err := v.Verify(raw)
	if err != nil {
		return nil, err
	}
	if err := c.replay.Check(r.Context(), verified.Issuer, verified.ID, v.ValidUntil(verified)); err != nil {
		return nil, err
	}
	return verified, nil
}

// SignedOnlyTransport is an http.RoundTripper that adds a freshly signed
// token to every request, for a SignedOnly receiver.
type SignedOnlyTransport struct {
	Base     http.RoundTripper // nil means http.DefaultTransport
	Signer   *token.Signer
	Audience string
	Header   string // default "Token"
}

// RoundTrip signs a token for this request and sends it.
func (t *SignedOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.Signer.Sign([]string{t.Audience}, nil)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	header := t.Header
	if header == "" {
		header = DefaultTokenHeader
	}
	out := req.Clone(req.Context())
	if strings.EqualFold(header, "Authorization") {
		tok = "Bearer " + tok
	}
	out.Header.Set(header, tok)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}
