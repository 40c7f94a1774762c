package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/internal/strict"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// ErrUnsealedResponse is returned for a successful (2xx) or redirect (3xx)
// response that is not sealed: it cannot have come from the receiver's
// middleware, and acting on it (reading it as the answer, or sending the
// request again elsewhere) would hand control to whoever sits on the path.
var ErrUnsealedResponse = errors.New("transport: response is not sealed")

// ErrResponse is wrapped when a sealed response fails to authenticate.
var ErrResponse = errors.New("transport: response failed to authenticate")

// Transport is an http.RoundTripper that seals every request to a
// receiver and opens its responses. Unsealed 4xx and 5xx responses (the
// middleware's problem+json refusals) are returned as they are: they
// cannot be authenticated, so Sealed reports false for them; treat them as
// a failure whose reason is advice only.
type Transport struct {
	base          http.RoundTripper
	sealer        *sealjwt.Sealer
	audience      string
	keys          KeySource
	recordSize    int
	maxRecordSize int
	observer      sealjwt.Observer
	unsealed      []string // request headers sent in the clear, lowercase
}

// ClientOption configures a Transport.
type ClientOption interface{ applyClient(*Transport) }

type clientOption func(*Transport)

func (f clientOption) applyClient(t *Transport) { f(t) }

// WithUnsealedRequestHeaders narrows the request headers the Transport
// seals: those named here go on the wire in the clear instead, for proxies
// on the way to read (traceparent, say). A receiver hands them to its
// handler only if it lets them pass (WithPassThroughHeaders). By default
// every request header is sealed but the hop-by-hop ones, Host,
// Content-Length and Authorization; Content-Type is sealed in its own claim.
func WithUnsealedRequestHeaders(names ...string) ClientOption {
	return clientOption(func(t *Transport) {
		for _, n := range names {
			t.unsealed = append(t.unsealed, strings.ToLower(n))
		}
	})
}

// NewTransport returns a RoundTripper that sends through base (nil means
// http.DefaultTransport), sealing each request as sealer to audience, the
// receiver's id, with the primary key from keys.
func NewTransport(base http.RoundTripper, sealer *sealjwt.Sealer, audience string, keys KeySource, opts ...ClientOption) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{base: base, sealer: sealer, audience: audience, keys: keys,
		recordSize: record.DefaultRecordSize, maxRecordSize: record.DefaultRecordSize}
	for _, o := range opts {
		o.applyClient(t)
	}
	return t
}

// RoundTrip seals req, sends it and opens the response. On an unsealed 422
// (the receiver does not know the key) it refreshes keys and retries once,
// if the body can be sent again (req.GetBody) or there is none. The retry
// carries the same jti, the request's idempotency key: should the first
// copy have been held back rather than refused, the receiver's replay store
// accepts only one of them.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	jti := token.NewID()
	resp, err := t.roundTrip(req, req.Body, jti)
	if err != nil || resp.StatusCode != http.StatusUnprocessableEntity || Sealed(resp) {
		return resp, err // a sealed 422 is the handler's own answer
	}
	if isBody(req.Body) && req.GetBody == nil {
		return resp, nil
	}
	if !t.refreshForRetry(req.Context()) {
		return resp, nil
	}
	drain(resp.Body)
	var body io.ReadCloser
	if isBody(req.Body) {
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.roundTrip(req, body, jti)
}

// isBody reports whether a request body carries anything to send.
func isBody(body io.ReadCloser) bool { return body != nil && body != http.NoBody }

func isSealed(resp *http.Response) bool { return resp.Header.Get(headerResponseNonce) != "" }

func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

func (t *Transport) roundTrip(req *http.Request, body io.ReadCloser, jti string) (*http.Response, error) {
	closeBody := func() {
		if body != nil {
			_ = body.Close()
		}
	}
	pub, err := t.recipient(req)
	if err != nil {
		closeBody()
		return nil, err
	}
	withBody := isBody(body)
	rc := requestClaims{Method: req.Method, URI: clientTargetURI(req), Body: withBody}
	if withBody {
		rc.ContentType = req.Header.Get("Content-Type")
	}
	sealHeader := t.sealsHeader(req.Header)
	if fs := appendFieldSection(nil, req.Header, sealHeader); len(fs) > 1 {
		rc.Fields = fs
	}
	env, sc, err := t.sealer.SealContext(req.Context(), pub, t.audience, rc, sealjwt.WithID(jti))
	if err != nil {
		closeBody()
		return nil, err
	}
	out, err := t.outgoing(req, body, env, sc, sealHeader)
	if err != nil {
		closeBody()
		return nil, err
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if resp.Request == nil {
		resp.Request = out
	}
	sealed := isSealed(resp)
	resp, err = t.openResponse(resp, sc)
	if err != nil || sealed {
		t.observe(req.Context(), event(sealjwt.KindResponse, err, 0))
	}
	return resp, err
}

// sealsHeader reports which of the request's headers (lowercase names)
// travel sealed: all but those that concern one hop (including the ones the
// Connection header names), the transport's own, and the unsealed list.
func (t *Transport) sealsHeader(h http.Header) func(string) bool {
	hop := t.unsealed
	for _, v := range h["Connection"] {
		for _, f := range strings.Split(v, ",") {
			hop = append(hop[:len(hop):len(hop)], strings.ToLower(strings.TrimSpace(f)))
		}
	}
	return func(name string) bool { return sealableRequestField(name) && !slices.Contains(hop, name) }
}

func (t *Transport) recipient(req *http.Request) (*seal.PublicKey, error) {
	set, err := t.keys.Keys(req.Context())
	if err != nil {
		return nil, err
	}
	if set == nil || set.Primary() == nil {
		return nil, fmt.Errorf("%w: no recipient key", sealjwt.ErrUnknownKey)
	}
	return set.Primary(), nil
}

// outgoing is req as it goes on the wire: the envelope in Authorization and
// the body, if any, as a record stream.
func (t *Transport) outgoing(req *http.Request, body io.ReadCloser, env string, sc *seal.Context, sealed func(string) bool) (*http.Request, error) {
	out := req.Clone(req.Context())
	if out.Header == nil {
		out.Header = http.Header{}
	}
	for name := range out.Header {
		if sealed(strings.ToLower(name)) {
			delete(out.Header, name) // it travels in the envelope
		}
	}
	out.Trailer = nil
	out.Header.Set("Authorization", authScheme+" "+env)
	out.GetBody = nil
	if !isBody(body) {
		out.Body, out.ContentLength = http.NoBody, 0
		out.Header.Del("Content-Type")
		return out, nil
	}
	key, nonce, err := streamkey.Request(sc)
	if err != nil {
		return nil, err
	}
	// Only a body that can be read again is known to be in hand: another
	// may be written as the exchange goes on, and holding it back to fill
	// records could stall both sides.
	sized := req.GetBody != nil && req.ContentLength > 0
	sb, err := newSealingBody(body, req.ContentLength, sized, key, nonce, t.recordSize)
	if err != nil {
		return nil, err
	}
	if out.Body, out.ContentLength, err = sb.wire(); err != nil {
		return nil, err
	}
	out.Header.Set("Content-Type", recordsContentType)
	out.Header.Del("Content-Length")
	return out, nil
}

// openResponse authenticates the response. The status code is verified
// before RoundTrip returns: the first record (or, for a body-less response,
// the sealed final record in its header) is opened here.
func (t *Transport) openResponse(resp *http.Response, sc *seal.Context) (*http.Response, error) {
	if !isSealed(resp) {
		// Only a refusal may be unsealed. An unsealed 101 would hand the
		// caller the raw connection, whoever answered; 100 Continue never
		// reaches here (net/http consumes it).
		if resp.StatusCode < 400 && resp.StatusCode != http.StatusContinue {
			drain(resp.Body)
			return nil, fmt.Errorf("%w: status %d", ErrUnsealedResponse, resp.StatusCode)
		}
		return resp, nil
	}
	body, header, err := t.responseBody(resp, sc)
	if err != nil {
		drain(resp.Body)
		return nil, err
	}
	// Only the sealed headers: nothing unsealed can add to them or
	// override one.
	resp.Header, resp.Trailer = header, nil
	resp.Body, resp.ContentLength = body, -1
	resp.Request = resp.Request.WithContext(context.WithValue(resp.Request.Context(), sealedKey, resp))
	return resp, nil
}

// Sealed reports whether resp came from a Transport that authenticated
// it: its status, headers and body were sealed by the receiver. A response
// for which it is false is an unsealed refusal that anyone on the path
// could have forged or altered: treat it as a failure, and its status and
// body as advice (an unsealed 422 was already retried once).
//
// The mark names this very response: a request made with the context of an
// earlier sealed response inherits that mark, and its own response, sealed
// or not, is not taken for the earlier one.
func Sealed(resp *http.Response) bool {
	if resp == nil || resp.Request == nil {
		return false
	}
	marked, _ := resp.Request.Context().Value(sealedKey).(*http.Response)
	return marked == resp
}

// responseBody authenticates the response's first record, or the sealed
// records of a body-less response, and returns the plaintext body and the
// sealed headers read from the start of it.
func (t *Transport) responseBody(resp *http.Response, sc *seal.Context) (io.ReadCloser, http.Header, error) {
	nonce, err := strict.Base64(resp.Header.Get(headerResponseNonce))
	if err != nil || len(nonce) != responseNonceSize {
		return nil, nil, fmt.Errorf("%w: bad response nonce", ErrResponse)
	}
	key, baseNonce, err := streamkey.Response(sc, nonce)
	if err != nil {
		return nil, nil, err
	}
	prefix := responsePrefix(resp.StatusCode)
	if final := resp.Header.Get(headerFinal); final != "" {
		return t.verifyFinalHeader(resp, final, key, baseNonce, prefix)
	}
	if resp.Header.Get("Content-Type") != recordsContentType {
		return nil, nil, fmt.Errorf("%w: body is not a record stream", ErrResponse)
	}
	rd, err := record.NewReader(resp.Body, key, baseNonce, prefix, t.maxRecordSize)
	if err != nil {
		return nil, nil, err
	}
	if err := rd.Open(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrResponse, err)
	}
	body := newPlainBody(rd, resp.Body, -1)
	header, err := readFieldSection(body, sealableField)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrResponse, err)
	}
	return body, header, nil
}

// verifyFinalHeader checks the sealed records a body-less response carries
// in its header: its field section and nothing else.
func (t *Transport) verifyFinalHeader(resp *http.Response, final string, key, baseNonce, prefix []byte) (io.ReadCloser, http.Header, error) {
	raw, err := strict.Base64(final)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bad final record", ErrResponse)
	}
	rd, err := record.NewReader(bytes.NewReader(raw), key, baseNonce, prefix, t.maxRecordSize)
	if err != nil {
		return nil, nil, err
	}
	header, err := readFieldSection(rd, sealableField)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: final record: %w", ErrResponse, err)
	}
	if n, err := io.Copy(io.Discard, rd); err != nil || n != 0 {
		return nil, nil, fmt.Errorf("%w: final record", ErrResponse)
	}
	drain(resp.Body)
	return http.NoBody, header, nil
}
