package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

const (
	senderID   = "billing"
	receiverID = "ledger"
)

// keys of one sender and one receiver, shared by the tests of a run.
type keys struct {
	sign *token.KeySet
	seal *seal.KeySet
}

var (
	keysOnce sync.Once
	testKeys keys
)

func fixtureKeys(t testing.TB) keys {
	t.Helper()
	keysOnce.Do(func() {
		sk, err := token.GenerateKey(token.EdDSA)
		if err != nil {
			panic(err)
		}
		ek, err := seal.GenerateKey(seal.HPKE3)
		if err != nil {
			panic(err)
		}
		testKeys.sign, _ = token.NewKeySet(sk)
		testKeys.seal, _ = seal.NewKeySet(ek)
	})
	return testKeys
}

type harnessConfig struct {
	store      replay.Store
	openerOpts []sealjwt.OpenerOption
	serverOpts []ServerOption
	sealerOpts []token.SignerOption
	audience   string
	keySource  KeySource
	wrapBase   func(http.RoundTripper) http.RoundTripper
	clientOpts []ClientOption
	routes     map[string]http.Handler // more routes beside the JWKS, outside the middleware
}

// harness is a receiver behind the middleware on a real 127.0.0.1 listener
// and a client Transport aimed at it.
type harness struct {
	srv    *httptest.Server
	client *http.Client
	opener *sealjwt.Opener
	keys   keys
}

// newVerifier is the receiver's verifier, trusting the sender's keys.
func newVerifier(k keys) *token.Verifier {
	v, err := token.NewVerifier(receiverID)
	if err != nil {
		panic(err)
	}
	if err := v.Trust(senderID, k.sign.Verifying()); err != nil {
		panic(err)
	}
	return v
}

// newSealer signs as issuer with keys and seals.
func newSealer(keys *token.KeySet, issuer string, opts ...token.SignerOption) (*sealjwt.Sealer, error) {
	signer, err := token.NewSigner(keys, issuer, opts...)
	if err != nil {
		return nil, err
	}
	return sealjwt.NewSealer(signer)
}

func newOpener(t testing.TB, k keys, store replay.Store, opts ...sealjwt.OpenerOption) *sealjwt.Opener {
	t.Helper()
	if store == nil {
		store = replay.NewMemory()
	}
	o, err := sealjwt.NewOpener(k.seal, newVerifier(k), append([]sealjwt.OpenerOption{sealjwt.WithReplayStore(store)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newHarness(t testing.TB, h http.Handler, c harnessConfig) *harness {
	t.Helper()
	k := fixtureKeys(t)
	o := newOpener(t, k, c.store, c.openerOpts...)
	mux := http.NewServeMux()
	mux.Handle(DefaultJWKSPath, JWKSHandler(k.seal.Public()))
	for p, rh := range c.routes {
		mux.Handle(p, rh)
	}
	mux.Handle("/", Server(o, c.serverOpts...)(h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &harness{srv: srv, opener: o, keys: k, client: newClient(t, k, c)}
}

func newClient(t testing.TB, k keys, c harnessConfig) *http.Client {
	t.Helper()
	sealer, err := newSealer(k.sign, senderID, c.sealerOpts...)
	if err != nil {
		t.Fatal(err)
	}
	src := c.keySource
	if src == nil {
		src = StaticKeys(k.seal.Public())
	}
	aud := c.audience
	if aud == "" {
		aud = receiverID
	}
	var base http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if c.wrapBase != nil {
		base = c.wrapBase(base)
	}
	return &http.Client{Transport: NewTransport(base, sealer, aud, src, c.clientOpts...)}
}

// roundTripFunc adapts a function to http.RoundTripper, for tampering.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// capture records what the client put on the wire.
type captured struct {
	method, url string
	header      http.Header
	body        []byte
	length      int64 // the ContentLength the request went out with
}

func capturing(into *captured, forward bool) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			*into = captured{r.Method, r.URL.String(), r.Header.Clone(), body, r.ContentLength}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if !forward {
				return &http.Response{StatusCode: 599, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
			}
			return base.RoundTrip(r)
		})
	}
}

// replay sends a captured request again, as an attacker would.
func (c captured) replay(t testing.TB, method, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// problemOf decodes a problem+json refusal and checks it says nothing of
// the cryptography behind it.
func problemOf(t testing.TB, resp *http.Response, wantStatus int) Problem {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Fatalf("status = %d, want %d", resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != ProblemContentType {
		t.Fatalf("Content-Type = %q, want %q", ct, ProblemContentType)
	}
	raw, _ := io.ReadAll(resp.Body)
	var p Problem
	if err := json.Unmarshal(raw, &p); err != nil || p.Status != wantStatus || p.Title == "" {
		t.Fatalf("problem body %q: %v", raw, err)
	}
	lower := strings.ToLower(string(raw))
	for _, leak := range []string{"hpke", "decrypt", "signature", "base64", "cipher", "aead", "kid", "jti", "key ", "ed25519", "x25519"} {
		if strings.Contains(lower, leak) {
			t.Fatalf("problem body leaks %q: %s", leak, raw)
		}
	}
	return p
}

func get(t testing.TB, c *http.Client, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(req)
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}

// postBare posts env as a bare envelope to url; the response body is
// closed when the test ends.
func postBare(t testing.TB, url, env string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, BareContentType, strings.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
