package transport

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A message sealed for a queue, whose application claims happen to hold
// htm, htu and sealed headers, posted as a bare envelope: it must not run
// the handler as that HTTP request. Seal refuses the request claims, and a
// message-typed token carrying them anyway (made by another stack, or
// before they were reserved) is refused by the middleware: a request
// envelope is a kind of its own.
func TestAttackMessagePassesAsRequest(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	url := h.srv.URL + "/admin/refund"
	sealer, _ := newSealer(h.keys.sign, senderID)
	pub := h.keys.seal.Primary().Public()
	fields := sealjwt.Binary(appendFieldSection(nil, http.Header{"X-Role": {"admin"}}, sealableRequestField))
	queued := map[string]any{"htm": http.MethodPost, "htu": url, "hfs": fields}
	for _, name := range []string{"htm", "HTM", "Htu", "hfS"} {
		claims := map[string]any{name: "x"}
		if _, err := sealer.Seal(context.Background(), pub, receiverID, claims); !errors.Is(err, sealjwt.ErrClaims) {
			t.Errorf("Seal with claim %q: %v, want ErrClaims", name, err)
		}
	}
	if _, err := sealer.Seal(context.Background(), pub, receiverID, queued); !errors.Is(err, sealjwt.ErrClaims) {
		t.Fatalf("Seal with the request claims: %v, want ErrClaims", err)
	}
	signer, _ := token.NewSigner(h.keys.sign, senderID) // a message's typ, token.Type
	queued[sealjwt.RecipientClaim] = pub.Thumbprint()
	jws, err := signer.Sign(receiverID, queued)
	if err != nil {
		t.Fatal(err)
	}
	env, err := seal.Seal(pub, []byte(jws), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	resp := postBare(t, url, env)
	if resp.StatusCode < 400 || runs.Load() != 0 {
		t.Fatalf("a message posted as a request: status %d, handler ran %d times", resp.StatusCode, runs.Load())
	}
}

// hostDialer sends each host:port it knows to a local listener, so that a
// test can give a redirect chain real, non-loopback host names.
func hostDialer(routes map[string]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := routes[addr]; ok {
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
}

// redirectTo answers every request with a 302 to location, counting them.
func redirectTo(location string, hits *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, location, http.StatusFound)
	})
}

// The key set URL is https, and so is the end of its redirect chain, but a
// hop in the middle is plain http on a host that is not loopback: whoever
// sits on that hop chooses where the chain goes next (here, to a site of
// the attacker's own, with a valid certificate, serving the attacker's
// keys). Every hop is checked before it is requested, so the plain hop is
// never asked and the attacker's keys are never fetched.
func TestAttackKeyURLRedirectThroughPlainHTTP(t *testing.T) {
	var plainHits, attackerHits, genuineHits atomic.Int32
	attacker := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attackerHits.Add(1)
		JWKSHandler(attackerKeys(t).Public()).ServeHTTP(w, r)
	}))
	t.Cleanup(attacker.Close)
	plain := httptest.NewServer(redirectTo("https://keys.attacker.example/jwks.json", &plainHits))
	t.Cleanup(plain.Close)
	genuine := httptest.NewTLSServer(redirectTo("http://hop.example/jwks.json", &genuineHits))
	t.Cleanup(genuine.Close)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: hostDialer(map[string]string{
			"keys.receiver.example:443": genuine.Listener.Addr().String(),
			"hop.example:80":            plain.Listener.Addr().String(),
			"keys.attacker.example:443": attacker.Listener.Addr().String(),
		}),
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // the attack needs no forged certificate
	}}
	_, err := NewKeyFetcher(context.Background(), "https://keys.receiver.example/jwks.json", WithHTTPClient(client))
	if !errors.Is(err, ErrInsecureKeyURL) {
		t.Fatalf("https -> http -> https: %v, want ErrInsecureKeyURL", err)
	}
	if genuineHits.Load() != 1 || plainHits.Load() != 0 || attackerHits.Load() != 0 {
		t.Fatalf("requests: genuine %d, plain hop %d, attacker %d; want the plain hop never asked",
			genuineHits.Load(), plainHits.Load(), attackerHits.Load())
	}
}

// A chain of https redirects longer than maxKeyRedirects is refused.
func TestAttackKeyURLRedirectLoop(t *testing.T) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	_, err := NewKeyFetcher(context.Background(), srv.URL+"/jwks.json", WithHTTPClient(srv.Client()))
	if !errors.Is(err, ErrInsecureKeyURL) || hits.Load() != maxKeyRedirects+1 {
		t.Fatalf("redirect loop: %v after %d requests, want ErrInsecureKeyURL after %d", err, hits.Load(), maxKeyRedirects+1)
	}
}

// A request made with the context of an earlier sealed response (to
// follow up on it, say) used to inherit its mark: an attacker's unsealed
// 404 to the second request was reported as sealed.
func TestAttackSealedInheritedFromContext(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/second" {
			return false
		}
		http.Error(w, "forged", http.StatusNotFound)
		return true
	})
	first, err := postText(t, h.client, m.srv.URL+"/pay", "100 to alice")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, first)
	if !Sealed(first) {
		t.Fatal("the genuine response is not reported sealed")
	}
	req, _ := http.NewRequestWithContext(first.Request.Context(), http.MethodGet, m.srv.URL+"/second", nil)
	second, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Body.Close()
	if second.StatusCode != http.StatusNotFound || Sealed(second) {
		t.Fatalf("forged %d reported sealed: %v", second.StatusCode, Sealed(second))
	}
	if !Sealed(first) {
		t.Fatal("the first response lost its mark")
	}
}

// An attacker on the path answers with an unsealed 101 Switching
// Protocols: the caller used to get status 101 and the raw connection as
// the body. Like an unsealed 2xx or 3xx, it is an error.
func TestAttackUnsealed101(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return true
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: attacker\r\n\r\nraw bytes")
		_ = buf.Flush()
		return true
	})
	req, _ := http.NewRequest(http.MethodGet, m.srv.URL+"/pay", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "attacker")
	resp, err := h.client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("unsealed %d returned to the caller", resp.StatusCode)
	}
	if !errors.Is(err, ErrUnsealedResponse) {
		t.Fatalf("err = %v, want ErrUnsealedResponse", err)
	}
}

// signedSetAt is a signed key set of keys whose iat is at, signed as
// receiver with signing.
func signedSetAt(t *testing.T, keys *seal.PublicKeySet, signing *token.KeySet, at time.Time, extra map[string]json.RawMessage) string {
	t.Helper()
	signer, err := token.NewSigner(signing, receiverID, token.WithType(SignedJWKSType),
		token.WithLifetime(signedJWKSLifetime), token.WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := keys.MarshalJSON()
	var set map[string]json.RawMessage
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	claims := map[string]json.RawMessage{"sub": json.RawMessage(`"` + receiverID + `"`), "keys": set["keys"]}
	for name, v := range extra {
		claims[name] = v
	}
	jws, err := signer.Sign(receiverID, claims)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// serveSigned serves whatever *current holds as a signed key set.
func serveSigned(t *testing.T, current *atomic.Pointer[string]) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", SignedJWKSContentType)
		_, _ = w.Write([]byte(*current.Load()))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + signedJWKSPath
}

// A genuine signed set, captured ten minutes ago while it still named a
// key since retired, is served again on a refresh: it is within its
// lifetime, but older than the set the sender already holds, and signed
// sets only move forward.
func TestAttackSignedKeySetRollback(t *testing.T) {
	signing := newTokenKeys(t)
	current, retired := fixtureKeys(t).seal.Public(), attackerKeys(t).Public()
	now := time.Now()
	fresh := signedSetAt(t, current, signing, now, nil)
	old := signedSetAt(t, retired, signing, now.Add(-10*time.Minute), nil)
	var served atomic.Pointer[string]
	served.Store(&fresh)
	f, err := NewKeyFetcher(context.Background(), serveSigned(t, &served), WithKeySetSigner(receiverID, signing.Verifying()),
		WithRefreshInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	served.Store(&old)
	if err := f.Refresh(context.Background()); !errors.Is(err, ErrKeySetRollback) || !errors.Is(err, ErrKeySetSignature) {
		t.Fatalf("an older set: %v, want ErrKeySetRollback", err)
	}
	if primaryKID(t, f) != current.Primary().KID() {
		t.Fatal("the older set replaced the newer one")
	}
}

// A signed set whose claims hold "keys" (the receiver's) and "KEYS" (the
// attacker's, which whoever writes the set's claims slipped in): a decoder
// that folds case would take the last of the two. The name is matched byte
// for byte, and the case variant refuses the set.
func TestAttackSignedKeySetCaseVariantKEYS(t *testing.T) {
	signing := newTokenKeys(t)
	mine, _ := attackerKeys(t).Public().MarshalJSON()
	var theirs map[string]json.RawMessage
	_ = json.Unmarshal(mine, &theirs)
	for _, name := range []string{"KEYS", "Keys", "keyS", "\u212aeys"} {
		t.Run(name, func(t *testing.T) {
			set := signedSetAt(t, fixtureKeys(t).seal.Public(), signing, time.Now(), map[string]json.RawMessage{name: theirs["keys"]})
			var served atomic.Pointer[string]
			served.Store(&set)
			_, err := NewKeyFetcher(context.Background(), serveSigned(t, &served), WithKeySetSigner(receiverID, signing.Verifying()))
			if !errors.Is(err, ErrKeySetSignature) || !errors.Is(err, token.ErrClaims) {
				t.Fatalf("set with %q: %v, want ErrKeySetSignature and ErrClaims", name, err)
			}
		})
	}
}
