package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// TestSlowAndCutRequestsLoggedAndCountedWithOneReason sends a request of
// each kind a receiver cuts off (headers too slow, a body too slow, a body
// cut by a disconnect) and compares the reason logged with the reason
// counted: the same for each, timeout for both timeouts.
func TestSlowAndCutRequestsLoggedAndCountedWithOneReason(t *testing.T) {
	const cut = 300 * time.Millisecond
	for _, tc := range []struct {
		name string
		send func(t *testing.T, addr string, client *http.Client)
		want sealjwt.Reason
	}{
		{"header-timeout", sendHeadersSlowly, sealjwt.ReasonTimeout},
		{"body-timeout", func(t *testing.T, addr string, c *http.Client) { sendBody(t, addr, c, 3*cut) }, sealjwt.ReasonTimeout},
		{"body-cut-by-disconnect", func(t *testing.T, addr string, c *http.Client) { sendBody(t, addr, c, cut/3) }, sealjwt.ReasonMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs observetest.LogBuffer
			events := &observetest.Recorder{}
			log := slog.New(slog.NewTextHandler(&logs, nil))
			addr, client, stop := startReceiver(t, log, events, cut)
			tc.send(t, addr, client)
			time.Sleep(cut) // let the server see the cut
			stop()
			logged := regexp.MustCompile(`reason=(\w+)`).FindAllStringSubmatch(logs.String(), -1)
			var counted []sealjwt.Reason
			for _, e := range events.Take() {
				if e.Outcome == sealjwt.OutcomeRefused {
					counted = append(counted, e.Reason)
				}
			}
			if len(logged) != 1 || len(counted) != 1 || sealjwt.Reason(logged[0][1]) != counted[0] || counted[0] != tc.want {
				t.Fatalf("logged %v, counted %v; want one refusal, %q in both\nlog:\n%s", logged, counted, tc.want, logs.String())
			}
		})
	}
}

// startReceiver serves a Receiver whose header and body timeouts are cut,
// and returns its address, a sealed client for it and a stop function
// that waits for the server to end.
func startReceiver(t *testing.T, log *slog.Logger, o sealjwt.Observer, cut time.Duration) (string, *http.Client, func()) {
	t.Helper()
	rk, _ := seal.GenerateKey(seal.HPKE3)
	sk, _ := token.GenerateKey(token.EdDSA)
	recv, _ := seal.NewKeySet(rk)
	send, _ := token.NewKeySet(sk)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc := &Receiver{ID: "billing", Keys: recv, Trusted: []cli.Trusted{{Issuer: "orders", Keys: send.Verifying()}},
		Log: log, Observer: o, BodyTimeout: cut, Hosts: []string{ln.Addr().String()}}
	h, err := rc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		timeouts := Timeouts{ReadHeader: cut, Idle: time.Minute,
			HeaderTimedOut: func() { RefusedBeforeHandler(ctx, log, o, transport.ErrSlowRequest) }}
		_ = Serve(ctx, ln, h, timeouts)
	}()
	sealer, err := NewSealer(send, "orders")
	if err != nil {
		t.Fatal(err)
	}
	client := SealedClient(http.DefaultTransport, sealer, "billing", transport.StaticKeys(recv.Public()))
	return ln.Addr().String(), client, func() { cancel(); <-done }
}

// sendHeadersSlowly opens a connection and sends half a request line,
// then nothing.
func sendHeadersSlowly(t *testing.T, addr string, _ *http.Client) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST /messages HTTP/1.1\r\nHost: "); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Read(make([]byte, 1)) // until the server closes the connection
}

// sendBody sends a sealed POST whose body starts and then stalls; the
// client gives up after giveUp, closing its connection.
func sendBody(t *testing.T, addr string, client *http.Client, giveUp time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), giveUp)
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(slices.Repeat([]byte("x"), 100))
		<-ctx.Done()
		pw.CloseWithError(ctx.Err())
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+MessagesPath, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	if resp, err := client.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
