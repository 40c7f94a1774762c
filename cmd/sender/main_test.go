package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

const testSecret = "a shared secret of at least 32 bytes!!"

func runSender(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serveOn serves h on addr until the test ends.
func serveOn(t *testing.T, addr string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Serve(ctx, ln, h, app.DefaultTimeouts) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestSenderWaitsForTheReceiver starts the sender before anything listens,
// as docs/OPERATIONS.md's signed-only snippet does, and the receiver a moment
// later: the sender retries the refused connection and gets its reply.
func TestSenderWaitsForTheReceiver(t *testing.T) {
	t.Setenv(cli.SecretEnv, testSecret)
	key, _ := token.NewHMACKey([]byte(testSecret))
	h, err := (&app.SignedOnly{Key: key, Issuer: "sender", Audience: "receiver"}).Handler()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := runSender(t, "--signed-only", "--url", "http://"+addr)
		done <- result{code, out, errs}
	}()
	time.Sleep(400 * time.Millisecond)
	serveOn(t, addr, h)
	r := <-done
	if r.code != 0 || strings.TrimSpace(r.out) != "Hello World" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
	if code, _, errs := runSender(t, "--signed-only", "--method", "POST"); code != cli.ExitUsage {
		t.Fatalf("--signed-only --method POST: exit %d, %q; want 2", code, errs)
	}
	code, _, errs := runSender(t, "--signed-only", "--url", "http://"+freeAddr(t), "--wait", "300ms")
	if code != cli.ExitRejected || !strings.Contains(errs, "refused") {
		t.Fatalf("no receiver at all: exit %d, %q", code, errs)
	}
}

// TestSenderMethod waits for a sealed receiver that is not listening yet,
// sends it each method the sender knows, and refuses other methods and a
// body where the method takes none.
func TestSenderMethod(t *testing.T) {
	dir := t.TempDir()
	sk, _ := token.GenerateKey(token.EdDSA)
	data, _ := sk.MarshalJSON()
	if err := os.WriteFile(filepath.Join(dir, "s.jwk"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	rk, _ := seal.GenerateKey(seal.HPKE3)
	rks, _ := seal.NewKeySet(rk)
	pubs, _ := token.NewVerifyingKeySet(sk.Verifying())
	rc := &app.Receiver{ID: "billing", Keys: rks, Trusted: []cli.Trusted{{Issuer: "orders", Keys: pubs}}}
	h, err := rc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	send := []string{"--url", "http://" + addr, "--key", filepath.Join(dir, "s.jwk"), "--iss", "orders", "--aud", "billing"}
	posted := make(chan string, 1)
	go func() { // started before the receiver listens: the key fetch waits for it
		code, out, errs := runSender(t, append(send, "--method", "POST", "hi")...)
		posted <- fmt.Sprintf("exit %d, %s, %s", code, out, errs)
	}()
	time.Sleep(300 * time.Millisecond)
	serveOn(t, addr, h)
	if r := <-posted; !strings.HasPrefix(r, "exit 0, ") || !strings.Contains(r, `"bytes":2`) {
		t.Fatalf("POST: %s", r)
	}
	if code, out, errs := runSender(t, append(send, "--method", "GET")...); code != 0 || !strings.Contains(out, "Hello World, orders") {
		t.Fatalf("GET: exit %d, %q, %q", code, out, errs)
	}
	// The demo receiver routes only GET / and POST /messages: a 405 shows
	// the method arrived as given.
	for _, m := range []string{"PUT", "DELETE"} {
		args := append(send, "--method", m)
		if m == "PUT" {
			args = append(args, "hi")
		}
		if code, _, errs := runSender(t, args...); code != cli.ExitRejected || !strings.Contains(errs, "405") {
			t.Errorf("%s: exit %d, %q; want the receiver's 405", m, code, errs)
		}
	}
	for _, args := range [][]string{{"--method", "PATCH", "hi"}, {"--method", "GET", "hi"}, {"--method", "DELETE", "--count", "3"}} {
		if code, _, errs := runSender(t, append(send, args...)...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d, %q; want 2", args, code, errs)
		}
	}
}
