package transport

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/seal"
)

// Defaults of the Server middleware.
const (
	DefaultMaxBodySize     = 64 << 20
	defaultEnvelopeTimeout = 10 * time.Second
)

// ServerOption configures the Server middleware.
type ServerOption interface{ applyServer(*serverConfig) }

type serverOption func(*serverConfig)

func (f serverOption) applyServer(c *serverConfig) { f(c) }

type serverConfig struct {
	baseURL       string
	maxBody       int64
	recordSize    int
	maxRecordSize int
	log           *slog.Logger
	passThrough   []string // unsealed request headers the handler may see, canonical
	hosts         []string // accepted Host values, lowercase; nil: any
	envTimeout    time.Duration
	bodyTimeout   time.Duration
	observer      sealjwt.Observer
}

// WithBaseURL sets the public scheme://host the server is reached at, to
// check each envelope's target URI (htu) behind a proxy. By default it is
// taken from the request (TLS or not, and the Host header).
func WithBaseURL(u string) ServerOption { return serverOption(func(c *serverConfig) { c.baseURL = u }) }

// WithMaxBodySize caps the decrypted request body (default
// DefaultMaxBodySize); a negative n means no limit, for streams.
func WithMaxBodySize(n int64) ServerOption {
	return serverOption(func(c *serverConfig) { c.maxBody = n })
}

// WithPassThroughHeaders names the unsealed request headers the handler
// may see, beside the sealed ones: traceparent, say, or X-Forwarded-For
// behind a proxy you trust. Every other unsealed header is dropped before
// the handler runs. A sealed header always wins over an unsealed one of the
// same name, and a request carrying both, with different values, is refused.
func WithPassThroughHeaders(names ...string) ServerOption {
	return serverOption(func(c *serverConfig) {
		for _, n := range names {
			c.passThrough = append(c.passThrough, http.CanonicalHeaderKey(n))
		}
	})
}

// WithAcceptedHosts names the hosts the server answers for, as they appear
// in the Host header (host, or host:port when the port is not the
// scheme's default). A request for any other Host is refused with 421
// before its envelope is read, and the target URI an envelope is bound to
// can then only name one of them. Use it, or WithBaseURL, on a server that
// can be reached under names you do not control.
func WithAcceptedHosts(hosts ...string) ServerOption {
	return serverOption(func(c *serverConfig) {
		for _, h := range hosts {
			c.hosts = append(c.hosts, strings.ToLower(h))
		}
	})
}

// WithEnvelopeTimeout bounds the time to read a bare envelope (the
// application/jose body), from the moment the middleware starts reading it
// (default 10 seconds). The read is also capped at the envelope
// size first, so a slow or endless body costs little.
func WithEnvelopeTimeout(d time.Duration) ServerOption {
	return serverOption(func(c *serverConfig) { c.envTimeout = d })
}

// WithBodyTimeout bounds the time to read a sealed request body, from the
// moment the request is admitted (default: no bound, for long streams). A
// read past it fails, and the handler sees the error. It is set on the
// connection through http.ResponseController.
func WithBodyTimeout(d time.Duration) ServerOption {
	return serverOption(func(c *serverConfig) { c.bodyTimeout = d })
}

func newServerConfig(opts []ServerOption) serverConfig {
	c := serverConfig{
		envTimeout:    defaultEnvelopeTimeout,
		maxBody:       DefaultMaxBodySize,
		recordSize:    record.DefaultRecordSize,
		maxRecordSize: record.DefaultRecordSize,
		log:           slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o.applyServer(&c)
	}
	return c
}

// Server returns middleware that admits only requests carrying a valid
// envelope for opener. The wrapped handler sees the decrypted body, the
// plaintext Content-Type, and the message (MessageFromContext); whatever it
// writes is sealed to the requester. Refusals are problem+json: 400
// malformed, 401 not authenticated, 403 not allowed (audience, or an
// envelope made for another method or URI), 409 replayed, 413 too large,
// 422 unknown recipient key (nothing was processed; the client may refetch
// keys and retry), 503 replay store unavailable.
func Server(opener *sealjwt.Opener, opts ...ServerOption) func(http.Handler) http.Handler {
	c := newServerConfig(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.observed(w, r, func(w http.ResponseWriter, r *http.Request) { c.serve(opener, next, w, r) })
		})
	}
}

// refuse is the one place a request is turned away: it maps err to a
// status, logs the reason (cut short: it may quote the attacker) and writes
// the problem response, which never carries the reason.
func (c *serverConfig) refuse(w http.ResponseWriter, r *http.Request, err error) {
	status, title := errorStatus(err)
	c.refused(r, status, err)
	releaseBody(w, r)
	writeProblem(w, status, title, authScheme)
}

// releaseBody lets a refused request go at once. Nothing more of its body
// will be read, but net/http reads what is left of it (up to 256 KiB)
// before it writes the answer, with no deadline of its own: a client that
// declares a body and sends a few bytes of it would hold the connection,
// unanswered, for as long as it likes. A read deadline already passed ends
// that read at once; on HTTP/1 the connection then closes after the
// answer (an HTTP/2 deadline is the stream's alone).
func releaseBody(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 1 {
		w.Header().Set("Connection", "close")
	}
	setReadDeadline(w, time.Now())
}

func (c *serverConfig) serve(opener *sealjwt.Opener, next http.Handler, w http.ResponseWriter, r *http.Request) {
	if err := c.checkHost(r); err != nil {
		c.refuse(w, r, err)
		return
	}
	env, bare, err := c.envelope(w, r)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	var rc requestClaims
	var sealed http.Header
	msg, sc, err := opener.OpenContext(r.Context(), env, func(m *sealjwt.Message) error {
		if err := checkBinding(m, &rc, r, c.baseURL); err != nil {
			return err
		}
		if bare && rc.Body {
			return fmt.Errorf("%w: a bare envelope carries no body stream", sealjwt.ErrMalformed)
		}
		if !bare && !rc.Body && r.ContentLength != 0 {
			// Nothing would read it, and net/http would wait for it.
			return fmt.Errorf("%w: a body the envelope does not announce", sealjwt.ErrMalformed)
		}
		h, err := sealedRequestHeader(rc.Fields, r.Header)
		sealed = h
		return err
	})
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	inner, err := c.innerRequest(r, msg, sc, &rc, sealed)
	if err != nil {
		c.refuse(w, r, err)
		return
	}
	if rc.Body && c.bodyTimeout > 0 {
		setReadDeadline(w, time.Now().Add(c.bodyTimeout))
	}
	c.accepted(r, msg, inner.Body)
	sw := newSealingWriter(w, sc, c.recordSize, r.Method == http.MethodHead)
	next.ServeHTTP(sw, inner)
	if err := sw.finish(); err != nil {
		c.log.LogAttrs(r.Context(), slog.LevelWarn, "sealjwt: response not completed", slog.String("error", clip(err.Error())))
	}
}

// envelope extracts the envelope from "Authorization: Sealed ..." or, for
// senders that can only produce a JWE, from a bare application/jose body.
func (c *serverConfig) envelope(w http.ResponseWriter, r *http.Request) (string, bool, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, env, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, authScheme) {
			return "", false, errNoSealed
		}
		return env, false, nil // its size is checked by seal.Open, before any parsing
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != BareContentType {
		return "", false, errNoSealed
	}
	if c.envTimeout > 0 {
		setReadDeadline(w, time.Now().Add(c.envTimeout))
	}
	// Read no more than the envelope cap allows, and one byte to tell
	// whether the body went past it.
	body, err := io.ReadAll(io.LimitReader(r.Body, seal.MaxEnvelopeSize+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The deadline stays: net/http must not wait for the rest.
		return "", false, fmt.Errorf("%w: bare envelope not read in %v", ErrSlowRequest, c.envTimeout)
	}
	if c.envTimeout > 0 {
		setReadDeadline(w, time.Time{})
	}
	if err != nil {
		return "", false, errors.Join(sealjwt.ErrMalformed, err)
	}
	if len(body) > seal.MaxEnvelopeSize {
		return "", false, fmt.Errorf("%w: a bare envelope over %d bytes", sealjwt.ErrTooLarge, seal.MaxEnvelopeSize)
	}
	return strings.TrimSpace(string(body)), true, nil
}

var errNoSealed = errors.New("transport: no Sealed authorization")

// ErrMisdirected is wrapped when a request names a Host the server does not
// answer for (WithAcceptedHosts).
var ErrMisdirected = errors.New("transport: request for a host not served here")

// ErrSlowRequest is wrapped when a request did not arrive within its time
// (WithEnvelopeTimeout).
var ErrSlowRequest = errors.New("transport: request too slow")

func (c *serverConfig) checkHost(r *http.Request) error {
	if c.hosts == nil || slices.Contains(c.hosts, strings.ToLower(r.Host)) {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrMisdirected, clip(r.Host))
}

// setReadDeadline sets the connection's read deadline, where the
// ResponseWriter allows it (a real server's does; a test recorder not).
func setReadDeadline(w http.ResponseWriter, t time.Time) {
	_ = http.NewResponseController(w).SetReadDeadline(t)
}

// sealedRequestHeader decodes the sealed request headers, and refuses a
// request whose unsealed headers hold another value for one of them: the
// two would mean different things to different readers.
func sealedRequestHeader(fields []byte, wire http.Header) (http.Header, error) {
	if len(fields) == 0 {
		return http.Header{}, nil
	}
	h, rest, err := parseFieldSection(fields, sealableRequestField)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: data after the sealed field section", sealjwt.ErrMalformed)
	}
	for name, vs := range h {
		if clear, ok := wire[name]; ok && !slices.Equal(clear, vs) {
			return nil, fmt.Errorf("%w: %s", ErrHeaderConflict, name)
		}
	}
	return h, nil
}

// innerRequest is what the handler sees: the original request with the
// envelope removed, the body decrypted as it is read, and the message in
// the context.
func (c *serverConfig) innerRequest(r *http.Request, msg *sealjwt.Message, sc *seal.Context, rc *requestClaims, sealed http.Header) (*http.Request, error) {
	inner := r.Clone(withMessage(r.Context(), msg))
	inner.Header = sealed
	for _, name := range c.passThrough {
		if vs, ok := r.Header[name]; ok && sealed[name] == nil {
			inner.Header[name] = vs
		}
	}
	if rc.ContentType != "" {
		inner.Header.Set("Content-Type", rc.ContentType)
	}
	inner.Trailer = nil
	inner.GetBody = nil
	if !rc.Body {
		inner.Body, inner.ContentLength = http.NoBody, 0
		return inner, nil
	}
	key, nonce, err := streamkey.Request(sc)
	if err != nil {
		return nil, err
	}
	rd, err := record.NewReader(r.Body, key, nonce, nil, c.maxRecordSize)
	if err != nil {
		return nil, err
	}
	inner.Body = newPlainBody(rd, r.Body, c.maxBody)
	inner.ContentLength = -1
	return inner, nil
}
