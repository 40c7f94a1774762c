package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/replaytest/redisfixture"
	"github.com/sealjwt/sealjwt/internal/strict"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay/redisstore"
	"github.com/sealjwt/sealjwt/seal"
)

// switchingJWKS serves one key set, then another after swap.
type switchingJWKS struct {
	current atomic.Pointer[[]byte]
	hits    atomic.Int32
}

func (s *switchingJWKS) set(t *testing.T, ks *seal.PublicKeySet) {
	b, err := ks.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	s.current.Store(&b)
}

func (s *switchingJWKS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	w.Header().Set("Content-Type", jwksContentType)
	_, _ = w.Write(*s.current.Load())
}

func TestUnknownRecipientKeyRefetchAndRetry(t *testing.T) {
	jwks := &switchingJWKS{}
	jwks.set(t, newPublicSet(t)) // a key the receiver no longer has
	jwksSrv := httptest.NewServer(jwks)
	defer jwksSrv.Close()
	fetcher, err := NewKeyFetcher(context.Background(), jwksSrv.URL, WithRefreshInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer fetcher.Close()

	var statuses []int
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{keySource: fetcher,
		wrapBase: rewriteResponse(func(r *http.Response) { statuses = append(statuses, r.StatusCode) })})
	jwks.set(t, h.keys.seal.Public()) // the receiver rotated; the sender's cache is stale
	resp, err := h.client.Post(h.srv.URL+"/orders", "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeWhoami(t, resp); got["body"] != `{"n":1}` {
		t.Fatalf("retried request body = %q", got["body"])
	}
	if len(statuses) != 2 || statuses[0] != http.StatusUnprocessableEntity || statuses[1] != http.StatusAccepted {
		t.Fatalf("statuses on the wire = %v, want [422 202]", statuses)
	}
	// A second unknown kid within the interval does not refetch again.
	if err := fetcher.Refresh(context.Background()); err != ErrRefreshLimited {
		t.Fatalf("second forced refresh: %v, want ErrRefreshLimited", err)
	}
}

func TestUnknownRecipientKeyUnprocessable(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{keySource: StaticKeys(newPublicSet(t))})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusUnprocessableEntity)
}

func TestRedisDownServiceUnavailable(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	store, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{store: store})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusServiceUnavailable)
}

func TestAttackReplayAcrossThreeServersSharingRedis(t *testing.T) {
	prefix := testredis.Prefix(t, testredis.Client(t))
	k := fixtureKeys(t)
	var urls []string
	for range 3 {
		store := redisfixture.Store(t, testredis.Client(t), prefix)
		srv := httptest.NewServer(Server(newOpener(t, k, store))(http.HandlerFunc(whoami)))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	// One client, one genuine request to server 0, captured on the wire.
	var c captured
	client := newClient(t, k, harnessConfig{wrapBase: capturing(&c, true)})
	resp, err := get(t, client, urls[0]+"/pay")
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("genuine request: %v", err)
	}
	readAll(t, resp)
	accepted := 1
	for _, u := range urls {
		// Host differs per server: send the captured request with its original
		// Host header so only the replay store can stop it.
		req, _ := http.NewRequest(c.method, u+"/pay", bytes.NewReader(c.body))
		req.Header = c.header.Clone()
		req.Host = strings.TrimPrefix(urls[0], "http://")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode == http.StatusAccepted {
			accepted++
		} else {
			problemOf(t, r, http.StatusConflict)
		}
		r.Body.Close()
	}
	if accepted != 1 {
		t.Fatalf("accepted %d times across three servers, want once", accepted)
	}
}

func TestBareEnvelopeFromAnotherStack(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	k := h.keys
	sealer, _ := newSealer(k.sign, senderID)
	url := h.srv.URL + "/orders"
	// A sealed request header, as another stack would encode it: a field
	// section of 14 bytes holding "x-trace-id: 42" (docs/PROTOCOL.md 4.5).
	fields := append([]byte{14, 10}, "x-trace-id\x0242"...)
	claims := requestClaims{Method: http.MethodPost, URI: url, Fields: fields}
	env, exp, err := sealer.SealContext(context.Background(), k.seal.Primary().Public(), receiverID, claims)
	if err != nil {
		t.Fatal(err)
	}
	resp := postBare(t, url, env)
	// Reading the reply as docs/PROTOCOL.md tells a foreign sender to.
	nonce, err := strict.Base64(resp.Header.Get("Sealed-Response"))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := exp.Export("sealjwt response body", 16)
	key, baseNonce := deriveForTest(t, secret, nonce)
	prefix := []byte{byte(resp.StatusCode >> 8), byte(resp.StatusCode)}
	rd, err := record.NewReader(resp.Body, key, baseNonce, prefix, record.DefaultRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	// The plaintext starts with the sealed headers: one length byte (under
	// 64), then length-prefixed names and values.
	n := int(plain[0])
	if plain[0]>>6 != 0 || n > len(plain)-1 {
		t.Fatalf("field section length byte %#x", plain[0])
	}
	header := map[string]string{}
	for lines := plain[1 : 1+n]; len(lines) > 0; {
		nameLen := int(lines[0])
		name := string(lines[1 : 1+nameLen])
		valueLen := int(lines[1+nameLen])
		header[name] = string(lines[2+nameLen : 2+nameLen+valueLen])
		lines = lines[2+nameLen+valueLen:]
	}
	if header["content-type"] != "application/json" {
		t.Fatalf("sealed response headers %v", header)
	}
	body := plain[1+n:]
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil || got["iss"] != senderID || got["method"] != "POST" || got["trace"] != "42" {
		t.Fatalf("reply %s: %v", body, err)
	}
}

func TestGoroutinesEndAfterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		jwks := httptest.NewServer(JWKSHandler(fixtureKeys(t).seal.Public()))
		defer jwks.Close()
		f, err := NewKeyFetcher(context.Background(), jwks.URL, WithRefreshInterval(10*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{keySource: f})
		for range 5 {
			resp, err := get(t, h.client, h.srv.URL+"/")
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, resp)
		}
		time.Sleep(30 * time.Millisecond) // let scheduled refreshes run
		f.Close()
		h.srv.Close()
		h.client.CloseIdleConnections()
		http.DefaultClient.CloseIdleConnections()
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
