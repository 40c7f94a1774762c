package cmd_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// redisAddr is the Redis the tests may use. Without one the test is
// skipped, except in CI, where it must run.
func redisAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("SEALJWT_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Redis at %s under CI=true: %v", addr, err)
		}
		t.Skipf("no Redis at %s (set SEALJWT_REDIS_ADDR to use another): %v", addr, err)
	}
	conn.Close()
	return addr
}

// TestReceiverFleetSharesReplayThroughRedis runs two receivers behind one
// public URL sharing a Redis store: an envelope accepted by either is
// refused by both afterwards. --leeway 0s: the store refuses messages
// issued before its data began plus the leeway, and on a fresh Redis the
// receivers create that epoch as they start, just before the test seals.
func TestReceiverFleetSharesReplayThroughRedis(t *testing.T) {
	t.Parallel()
	redisURL := "redis://" + redisAddr(t) + "/0"
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "HPKE-3", "--out", "receiver")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "sender")
	a, b := freeAddr(t), freeAddr(t)
	public := "http://" + a // the URL senders use; b is a second instance behind it
	for _, addr := range []string{a, b} {
		startReceiver(t, dir, nil, "http://"+addr+transport.DefaultJWKSPath, "--addr", addr, "--id", "billing",
			"--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--redis", redisURL, "--base-url", public, "--leeway", "0s")
	}
	capture := captureEnvelopes(t, dir, public)

	first := capture()
	if got := sendRaw(t, "http://"+b, first); got != http.StatusOK {
		t.Fatalf("fresh envelope at instance b: %d, want 200", got)
	}
	if got := sendRaw(t, "http://"+a, first); got != http.StatusConflict {
		t.Fatalf("envelope replayed at instance a: %d, want 409", got)
	}
	second := capture()
	if got := sendRaw(t, "http://"+a, second); got != http.StatusOK {
		t.Fatalf("fresh envelope at instance a: %d, want 200", got)
	}
	if got := sendRaw(t, "http://"+b, second); got != http.StatusConflict {
		t.Fatalf("envelope replayed at instance b: %d, want 409", got)
	}
}

func TestReceiverRefusesUnreachableRedis(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "sender")
	r := run(t, dir, "", nil, "receiver", "--addr", freeAddr(t), "--trust", "orders=sender.pub.jwk",
		"--redis", "redis://"+freeAddr(t)+"/0")
	if r.code != 1 || !strings.Contains(r.stderr, "redis") {
		t.Fatalf("exit %d, stderr %q; want 1 and a redis error", r.code, r.stderr)
	}
}

var errCaptured = errors.New("captured, not sent")

// captureTap records the Authorization of a sealed GET instead of sending
// it, so the test can deliver the envelope where it likes.
type captureTap struct{ auth string }

func (c *captureTap) RoundTrip(r *http.Request) (*http.Response, error) {
	c.auth = r.Header.Get("Authorization")
	return nil, errCaptured
}

// captureEnvelopes returns a function that seals a fresh GET public+"/"
// as the sender and returns its Authorization header.
func captureEnvelopes(t *testing.T, dir, public string) func() string {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	pub, err := seal.ParsePublicJWK(read("receiver.pub.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	pubs, _ := seal.NewPublicKeySet(pub)
	sk, err := token.ParseSigningJWK(read("sender.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	sks, _ := token.NewKeySet(sk)
	sealer, err := app.NewSealer(sks, "orders")
	if err != nil {
		t.Fatal(err)
	}
	tap := &captureTap{}
	client := &http.Client{Transport: transport.NewTransport(tap, sealer, "billing", transport.StaticKeys(pubs))}
	return func() string {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, public+"/", nil)
		if _, err := client.Do(req); !errors.Is(err, errCaptured) {
			t.Fatalf("capture: %v", err)
		}
		return tap.auth
	}
}

// sendRaw sends a captured Authorization header to base+"/" as is.
func sendRaw(t *testing.T, base, auth string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
