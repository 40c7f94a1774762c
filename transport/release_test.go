package transport

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// heldConnections is how many refused requests the attack keeps open at
// once; heldBodyTimeout is the receiver's body timeout, within which each
// must be answered and closed (counted from its own first byte).
const (
	heldConnections = 2000
	heldBodyTimeout = 20 * time.Second
)

// An attacker opens many connections, each a request that the middleware
// refuses (junk, sealed to a key the receiver does not hold, or a genuine
// envelope that announces no body) but that declares a body of 10,000
// bytes and sends 4 of them. net/http reads what is left of a body before
// it answers, without a deadline: unreleased, each connection stayed open
// and unanswered for as long as the attacker liked. Released, every one
// is answered and closed within the body timeout, and the server holds no
// connection afterwards.
func TestAttackRefusedRequestsHoldConnections(t *testing.T) {
	srv, open := refusingServer(t)
	took := attackWave(t, srv)
	waitClosed(t, open)
	t.Logf("%d refused requests answered and closed in %v", heldConnections, took)
}

// refusingServer is a receiver with heldBodyTimeout, and the count of its
// open connections.
func refusingServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var open atomic.Int64
	srv := httptest.NewUnstartedServer(Server(newOpener(t, fixtureKeys(t), nil), WithBodyTimeout(heldBodyTimeout))(http.NotFoundHandler()))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), &open
}

// waitClosed fails unless the server's connections are all closed within
// a second of the last answer.
func waitClosed(t *testing.T, open *atomic.Int64) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for open.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := open.Load(); n != 0 {
		t.Fatalf("%d connections still open a second after the last answer", n)
	}
}

// attackWave opens heldConnections refused requests at once and waits for
// each to be answered and closed, each within heldBodyTimeout.
func attackWave(t *testing.T, addr string) time.Duration {
	auths := refusedAuthorizations(t, addr, heldConnections)
	start := time.Now()
	var wg sync.WaitGroup
	failures := make(chan error, heldConnections)
	for i, auth := range auths {
		wg.Go(func() {
			if err := holdRefused(addr, auth); err != nil {
				failures <- fmt.Errorf("connection %d (%s): %w", i, auth.name, err)
			}
		})
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Fatal(err)
	}
	return time.Since(start)
}

// refusedRequest is the Authorization of one kind of refused request.
type refusedRequest struct{ name, authorization string }

// refusedAuthorizations returns n requests' worth of refused
// authorizations, of the three kinds in turn. A genuine envelope is good
// once, so there is one per connection of that kind.
func refusedAuthorizations(t *testing.T, addr string, n int) []refusedRequest {
	t.Helper()
	k := fixtureKeys(t)
	sealer, err := newSealer(k.sign, senderID)
	if err != nil {
		t.Fatal(err)
	}
	stranger := attackerKeys(t).Primary().Public()
	out := make([]refusedRequest, 0, n)
	for i := range n {
		to, name := k.seal.Primary().Public(), "genuine, no body announced"
		switch i % 3 {
		case 0:
			out = append(out, refusedRequest{"junk", authScheme + " junk.junk.junk"})
			continue
		case 1:
			to, name = stranger, "sealed to an unknown key"
		}
		rc := requestClaims{Method: http.MethodPost, URI: "http://" + addr + "/pay"}
		env, _, err := sealer.SealContext(context.Background(), to, receiverID, rc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, refusedRequest{name, authScheme + " " + env})
	}
	return out
}

// holdRefused sends a request that declares a 10,000-byte body and sends
// 4 bytes of it, then waits for the answer and for the server to close the
// connection, at most the body timeout.
func holdRefused(addr string, req refusedRequest) error {
	conn, err := net.DialTimeout("tcp", addr, heldBodyTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(heldBodyTimeout))
	head := "POST /pay HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: " + req.authorization +
		"\r\nContent-Type: " + recordsContentType + "\r\nContent-Length: 10000\r\n\r\nabcd"
	if _, err := io.WriteString(conn, head); err != nil {
		return err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode < 400 {
		return fmt.Errorf("status %d, want a refusal", resp.StatusCode)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return fmt.Errorf("connection not closed after the answer: %v", err)
	}
	return nil
}
