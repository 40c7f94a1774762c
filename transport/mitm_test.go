package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/internal/strict"
	"github.com/sealjwt/sealjwt/seal"
)

// mitm is an attacker on the path between a real client and a real
// receiver: an HTTP proxy that forwards what it does not intercept,
// keeping the Host the client addressed, as a transparent proxy would.
type mitm struct {
	srv       *httptest.Server
	forwarder *httputil.ReverseProxy
	// intercept, if set, sees every request first; it returns true when it
	// answered the request itself.
	intercept atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func newMITM(t testing.TB, receiverURL string) *mitm {
	t.Helper()
	target, err := url.Parse(receiverURL)
	if err != nil {
		t.Fatal(err)
	}
	m := &mitm{forwarder: &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
	}}}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := m.intercept.Load(); f != nil && (*f)(w, r) {
			return
		}
		m.forwarder.ServeHTTP(w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *mitm) set(f func(w http.ResponseWriter, r *http.Request) bool) { m.intercept.Store(&f) }

// heldRequest is a request the attacker kept, to deliver later.
type heldRequest struct {
	method, path string
	host         string
	header       http.Header
	body         []byte
}

func hold(t testing.TB, r *http.Request) heldRequest {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Error(err)
	}
	return heldRequest{r.Method, r.URL.RequestURI(), r.Host, r.Header.Clone(), body}
}

// deliver sends the held request to the receiver, with the Host the client
// addressed.
func (h heldRequest) deliver(t testing.TB, receiverURL string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(h.method, receiverURL+h.path, bytes.NewReader(h.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header, req.Host = h.header.Clone(), h.host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// counting is a handler that counts the requests it runs.
func counting(n *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "done")
	})
}

func postText(t testing.TB, c *http.Client, url, body string) (*http.Response, error) {
	t.Helper()
	return c.Post(url, "text/plain", strings.NewReader(body))
}

// An unsealed 307 would make the client sign and seal the same body again
// for a URL of the attacker's choosing.
func TestAttackUnsealedRedirect307(t *testing.T) {
	unsealedRedirectRefused(t, http.StatusTemporaryRedirect, "/elsewhere")
}

// An unsealed 303 would turn the POST into a GET of another resource, whose
// sealed answer the caller would take for the answer to its POST.
func TestAttackUnsealedRedirect303(t *testing.T) {
	unsealedRedirectRefused(t, http.StatusSeeOther, "/")
}

// unsealedRedirectRefused has the attacker answer a POST with an unsealed
// redirect to location on the real receiver, and checks that the client
// fails rather than follow it: the receiver's handler never runs.
func unsealedRedirectRefused(t *testing.T, status int, location string) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		http.Redirect(w, r, location, status)
		return true
	})
	_, err := postText(t, h.client, m.srv.URL+"/pay", "100 to alice")
	if !errors.Is(err, ErrUnsealedResponse) {
		t.Fatalf("unsealed %d: err = %v, want ErrUnsealedResponse", status, err)
	}
	if n := runs.Load(); n != 0 {
		t.Fatalf("the handler ran %d times, want 0: the redirect was followed", n)
	}
}

// The attacker holds back the first request and answers 422 in its place.
// The client refetches keys and retries; the attacker then delivers the
// original, before or after the retry. The request runs once either way,
// because the retry keeps the original jti.
func TestAttackHeldBackDeliveryAfterForged422(t *testing.T) {
	for _, originalFirst := range []bool{false, true} {
		name := map[bool]string{false: "original after retry", true: "original before retry"}[originalFirst]
		t.Run(name, func(t *testing.T) {
			var runs atomic.Int32
			k := fixtureKeys(t)
			h := newHarness(t, counting(&runs), harnessConfig{})
			m := newMITM(t, h.srv.URL)
			fetcher, err := NewKeyFetcher(context.Background(), m.srv.URL+DefaultJWKSPath, WithRefreshInterval(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			defer fetcher.Close()
			client := newClient(t, k, harnessConfig{keySource: fetcher})

			var held *heldRequest
			var originalStatus int
			m.set(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/pay" {
					return false
				}
				if held == nil {
					hr := hold(t, r)
					held = &hr
					writeProblem(w, http.StatusUnprocessableEntity, "unknown recipient key", "")
					return true
				}
				if originalFirst {
					originalStatus = held.deliver(t, h.srv.URL).StatusCode
				}
				return false
			})
			resp, err := postText(t, client, m.srv.URL+"/pay", "100 to alice")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if originalFirst {
				if originalStatus != http.StatusOK || resp.StatusCode != http.StatusConflict || Sealed(resp) {
					t.Fatalf("original: %d; retry: %d sealed %v; want 200, then an unsealed 409", originalStatus, resp.StatusCode, Sealed(resp))
				}
			} else {
				if resp.StatusCode != http.StatusOK || !Sealed(resp) {
					t.Fatalf("retry: %d sealed %v, want a sealed 200", resp.StatusCode, Sealed(resp))
				}
				problemOf(t, held.deliver(t, h.srv.URL), http.StatusConflict)
			}
			if n := runs.Load(); n != 1 {
				t.Fatalf("the handler ran %d times, want once", n)
			}
		})
	}
}

func TestSealedReportsAuthenticatedResponses(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !Sealed(resp) {
		t.Fatal("a sealed response: Sealed = false")
	}
	other := newHarness(t, http.HandlerFunc(whoami), harnessConfig{audience: "another"})
	resp, err = get(t, other.client, other.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || Sealed(resp) || Sealed(nil) || Sealed(&http.Response{}) {
		t.Fatal("a refused replay or an empty response: Sealed = true")
	}
}

// A refused request's reason is logged, but an attacker's 10 KB kid or
// path reaches the log cut short.
func TestRefusalLogCutsUntrustedValues(t *testing.T) {
	var logged bytes.Buffer
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{
		serverOpts: []ServerOption{WithLogger(slog.New(slog.NewTextHandler(&logged, nil)))}})
	kid := strings.Repeat("k", 10<<10)
	hdr := strict.Encode([]byte(`{"alg":"HPKE-3","kid":"` + kid + `","cty":"JWT"}`))
	req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/"+strings.Repeat("p", 10<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Sealed "+hdr+".AAAA..AAAA.")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || !strings.Contains(logged.String(), "request refused") {
		t.Fatalf("status %d, log %q", resp.StatusCode, logged.String())
	}
	if n := logged.Len(); n > 1024 {
		t.Fatalf("one refusal logged %d bytes, want at most 1 KiB", n)
	}
}

// attackerKeys is a receiver key pair of the attacker's own.
func attackerKeys(t testing.TB) *seal.KeySet {
	t.Helper()
	k, err := seal.GenerateKey(seal.HPKE3)
	if err != nil {
		t.Fatal(err)
	}
	set, err := seal.NewKeySet(k)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// reseal opens a request sealed to the attacker's key, keeps the sender's
// genuine signed token, and seals it and a body of the attacker's choosing
// to the real receiver: what an attacker who swapped the key set would do.
func reseal(t testing.TB, r *http.Request, mine *seal.KeySet, to *seal.PublicKey, body string) {
	t.Helper()
	env := strings.TrimPrefix(r.Header.Get("Authorization"), authScheme+" ")
	opened, err := seal.Open(mine, env)
	if err != nil {
		t.Errorf("the attacker cannot open what the sender sealed to its key: %v", err)
		return
	}
	resealed, sc, err := seal.SealContext(to, opened.Plaintext, seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	key, nonce, err := streamkey.Request(sc)
	if err != nil {
		t.Fatal(err)
	}
	var sealed bytes.Buffer
	w, err := record.NewWriter(&sealed, key, nonce, nil, record.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, body)
	_ = w.Close()
	r.Header.Set("Authorization", authScheme+" "+resealed)
	r.Body, r.ContentLength = io.NopCloser(&sealed), int64(sealed.Len())
}

// keySwap is the attack of a party on the path that serves the sender its
// own key set, then re-seals what the sender seals to it.
type keySwap struct {
	mine    *seal.KeySet
	swapped atomic.Bool // serving the attacker's set
	real    *seal.PublicKeySet
}

func (k *keySwap) intercept(t testing.TB, r *http.Request, w http.ResponseWriter) bool {
	if r.URL.Path == DefaultJWKSPath && k.swapped.Load() {
		JWKSHandler(k.mine.Public()).ServeHTTP(w, r)
		return true
	}
	if r.URL.Path == "/pay" && k.swapped.Load() {
		reseal(t, r, k.mine, k.real.Primary(), "100 to mallory")
	}
	return false
}

func TestAttackKeySwapAtFirstFetch(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	swap := &keySwap{mine: attackerKeys(t), real: h.keys.seal.Public()}
	swap.swapped.Store(true)
	m.set(func(w http.ResponseWriter, r *http.Request) bool { return swap.intercept(t, r, w) })
	fetcher, err := NewKeyFetcher(context.Background(), m.srv.URL+DefaultJWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fetcher.Close()
	client := newClient(t, h.keys, harnessConfig{keySource: fetcher})
	resp, err := postText(t, client, m.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problemOf(t, resp, http.StatusUnauthorized)
	if Sealed(resp) || runs.Load() != 0 {
		t.Fatalf("re-sealed request: sealed %v, handler ran %d times; want an unsealed refusal", Sealed(resp), runs.Load())
	}
}

func TestAttackKeySwapAfterForged422(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	swap := &keySwap{mine: attackerKeys(t), real: h.keys.seal.Public()}
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/pay" && swap.swapped.CompareAndSwap(false, true) {
			writeProblem(w, http.StatusUnprocessableEntity, "unknown recipient key", "")
			return true
		}
		return swap.intercept(t, r, w)
	})
	fetcher, err := NewKeyFetcher(context.Background(), m.srv.URL+DefaultJWKSPath)
	if err != nil {
		t.Fatal(err)
	}
	defer fetcher.Close()
	client := newClient(t, h.keys, harnessConfig{keySource: fetcher})
	resp, err := postText(t, client, m.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := primaryKID(t, fetcher); got != swap.mine.Primary().KID() {
		t.Fatalf("the refetch after the forged 422 did not reach the attacker's set")
	}
	problemOf(t, resp, http.StatusUnauthorized)
	if Sealed(resp) || runs.Load() != 0 {
		t.Fatalf("re-sealed retry: sealed %v, handler ran %d times; want an unsealed refusal", Sealed(resp), runs.Load())
	}
}

// The receiver's own, sealed redirect is followed, with a new envelope.
func TestSealedRedirectFollowed(t *testing.T) {
	var runs atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new", http.StatusTemporaryRedirect)
	})
	mux.Handle("/new", counting(&runs))
	h := newHarness(t, mux, harnessConfig{})
	resp, err := postText(t, h.client, h.srv.URL+"/old", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "done" || !Sealed(resp) || runs.Load() != 1 {
		t.Fatalf("after a sealed 307: %d %q sealed %v, runs %d", resp.StatusCode, body, Sealed(resp), runs.Load())
	}
}

// refreshCounter is a KeySource that counts the refreshes asked of it.
type refreshCounter struct {
	KeySource
	n atomic.Int32
}

func (r *refreshCounter) Refresh(ctx context.Context) error {
	r.n.Add(1)
	return r.KeySource.Refresh(ctx)
}

// A 422 that the handler itself answered, sealed, is returned as it is:
// the request was processed, so the client neither refreshes nor retries.
func TestSealed422IsNotRetried(t *testing.T) {
	var runs atomic.Int32
	keys := &refreshCounter{KeySource: StaticKeys(fixtureKeys(t).seal.Public())}
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		http.Error(w, "order rejected", http.StatusUnprocessableEntity)
	}), harnessConfig{keySource: keys})
	resp, err := postText(t, h.client, h.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !Sealed(resp) || !strings.Contains(body, "order rejected") {
		t.Fatalf("status %d sealed %v body %q", resp.StatusCode, Sealed(resp), body)
	}
	if runs.Load() != 1 || keys.n.Load() != 0 {
		t.Fatalf("handler ran %d times, %d key refreshes; want 1 and 0", runs.Load(), keys.n.Load())
	}
}
