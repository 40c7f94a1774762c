package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// TestAttackTamperedBodyLoggedAndCountedWithItsReason: a byte of the
// encrypted body is flipped on the way. The receiver refuses the body,
// logs one line with the reason, and reports the request refused.
func TestAttackTamperedBodyLoggedAndCountedWithItsReason(t *testing.T) {
	rk, _ := seal.GenerateKey(seal.HPKE3)
	sk, _ := token.GenerateKey(token.EdDSA)
	recv, _ := seal.NewKeySet(rk)
	send, _ := token.NewKeySet(sk)
	var logs observetest.LogBuffer
	events := &observetest.Recorder{}
	rc := &Receiver{ID: "billing", Keys: recv, Trusted: []cli.Trusted{{Issuer: "orders", Keys: send.Verifying()}},
		Log: slog.New(slog.NewTextHandler(&logs, nil)), Observer: events}
	h, err := rc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	flip := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body[len(body)-1] ^= 1
		r.Body = io.NopCloser(bytes.NewReader(body))
		return http.DefaultTransport.RoundTrip(r)
	})
	sealer, err := NewSealer(send, "orders")
	if err != nil {
		t.Fatal(err)
	}
	client := SealedClient(flip, sealer, "billing", transport.StaticKeys(recv.Public()))
	_, err = Do(context.Background(), client, http.MethodPost, srv.URL+MessagesPath, []byte("pay 5 to alice"), "text/plain")
	if err == nil {
		t.Fatal("a tampered body was acknowledged")
	}
	srv.Close() // the request has ended: its event is in
	out := logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "reason=decryption") {
		t.Fatalf("log:\n%s", out)
	}
	if got := events.Take(); len(got) != 1 || got[0].Outcome != sealjwt.OutcomeRefused || got[0].Reason != sealjwt.ReasonDecryption {
		t.Fatalf("events %+v", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
