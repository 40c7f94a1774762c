// Package app is the demo receiver and sender logic that the receiver,
// sender and sealjwt commands share, so the in-process receiver of
// "sealjwt demo" and "sealjwt load" is the same code as cmd/receiver.
package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// MessagesPath is the protected endpoint that takes messages.
const MessagesPath = "/messages"

// previewSize bounds how much of a body is logged or shown.
const previewSize = 256

// Seen is what the receiver's handler saw of one request, after the
// middleware opened and verified it.
type Seen struct {
	Method, Path string
	Message      *sealjwt.Message
	ContentType  string
	BodyLen      int64
	Preview      []byte // the first bytes of the body
}

// Receiver configures the sealed receiver.
type Receiver struct {
	ID      string       // our id: the audience senders must use
	Keys    *seal.KeySet // our private keys; the primary is advertised first
	Trusted []cli.Trusted
	Replay  replay.Store // nil: in memory
	Log     *slog.Logger // nil: discard
	MaxBody int64        // largest request body; 0: the transport's default
	BaseURL string       // public scheme://host senders address; "": from each request
	// Hosts are the Host values the receiver answers for; nil: any (set
	// BaseURL or Hosts wherever other names can reach the receiver).
	Hosts []string
	// Leeway and MaxLifetime bound the tokens accepted; 0: the defaults.
	Leeway, MaxLifetime time.Duration
	// BodyTimeout bounds the time to read a request body; 0: no bound.
	BodyTimeout time.Duration
	// Observer, if set, is told the outcome of every request (metrics).
	Observer sealjwt.Observer
	// OnMessage, if set, is called for every request the middleware let
	// through (the demo prints it).
	OnMessage func(Seen)
}

// Ack is the sealed reply to POST /messages.
type Ack struct {
	Status string `json:"status"`
	ID     string `json:"id"`
	From   string `json:"from"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// opener trusts rc.Trusted, with rc's time policy and replay store.
func (rc *Receiver) opener() (*sealjwt.Opener, error) {
	if len(rc.Trusted) == 0 {
		return nil, fmt.Errorf("%w: at least one trusted sender is required", sealjwt.ErrConfig)
	}
	var vopts []token.VerifierOption
	if rc.Leeway > 0 {
		vopts = append(vopts, token.WithLeeway(rc.Leeway))
	}
	if rc.MaxLifetime > 0 {
		vopts = append(vopts, token.WithMaxLifetime(rc.MaxLifetime))
	}
	v, err := token.NewVerifier(rc.ID, vopts...)
	if err != nil {
		return nil, err
	}
	for _, t := range rc.Trusted {
		if err := v.Trust(t.Issuer, t.Keys); err != nil {
			return nil, err
		}
	}
	var opts []sealjwt.OpenerOption
	if rc.Replay != nil {
		opts = append(opts, sealjwt.WithReplayStore(rc.Replay))
	}
	return sealjwt.NewOpener(rc.Keys, v, opts...)
}

// Handler returns the receiver: the JWKS in the clear, and behind the
// sealing middleware GET / and POST /messages.
func (rc *Receiver) Handler() (http.Handler, error) {
	log := rc.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opener, err := rc.opener()
	if err != nil {
		return nil, err
	}
	inner := http.NewServeMux()
	inner.HandleFunc("GET /{$}", rc.hello)
	inner.HandleFunc("POST "+MessagesPath, func(w http.ResponseWriter, r *http.Request) { rc.message(w, r, log) })
	mux := http.NewServeMux()
	mux.Handle("GET "+transport.DefaultJWKSPath, transport.JWKSHandler(rc.Keys.Public()))
	sopts := []transport.ServerOption{transport.WithLogger(log)}
	if rc.BaseURL != "" {
		sopts = append(sopts, transport.WithBaseURL(rc.BaseURL))
	}
	if rc.MaxBody != 0 {
		sopts = append(sopts, transport.WithMaxBodySize(rc.MaxBody))
	}
	if rc.Hosts != nil {
		sopts = append(sopts, transport.WithAcceptedHosts(rc.Hosts...))
	}
	if rc.BodyTimeout > 0 {
		sopts = append(sopts, transport.WithBodyTimeout(rc.BodyTimeout))
	}
	if rc.Observer != nil {
		sopts = append(sopts, transport.WithObserver(rc.Observer))
	}
	mux.Handle("/", transport.Server(opener, sopts...)(inner))
	return mux, nil
}

func (rc *Receiver) hello(w http.ResponseWriter, r *http.Request) {
	m, _ := transport.MessageFromContext(r.Context())
	rc.notify(Seen{Method: r.Method, Path: r.URL.Path, Message: m})
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Hello World, %s\n", m.Issuer)
}

// message reads the decrypted body as a stream (hashing it, keeping a
// preview), logs what arrived and acknowledges it, sealed.
func (rc *Receiver) message(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	m, _ := transport.MessageFromContext(r.Context())
	h := sha256.New()
	pv := &preview{}
	n, err := io.Copy(io.MultiWriter(h, pv), r.Body)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, sealjwt.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		log.Warn("message body refused", "reason", transport.ReasonOf(err), "iss", m.Issuer, "jti", m.ID, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	ct := r.Header.Get("Content-Type")
	log.Debug("message received", "iss", m.Issuer, "sub", m.Subject, "jti", m.ID,
		"suite", string(m.Envelope.Alg), "sig", string(m.Alg), "content_type", ct, "bytes", n,
		"expires", m.ExpiresAt.Format(time.RFC3339))
	rc.notify(Seen{Method: r.Method, Path: r.URL.Path, Message: m, ContentType: ct, BodyLen: n, Preview: pv.b})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(Ack{Status: "received", ID: m.ID, From: m.Issuer, Bytes: n,
		SHA256: hex.EncodeToString(h.Sum(nil))})
}

// RefusedBeforeHandler logs and reports a request refused before any
// handler saw it (net/http cut it off), as the middleware does one it
// refuses, with the same reason.
func RefusedBeforeHandler(ctx context.Context, log *slog.Logger, o sealjwt.Observer, err error) {
	reason := transport.ReasonOf(err)
	log.LogAttrs(ctx, slog.LevelInfo, "sealjwt: request refused", slog.String("reason", string(reason)),
		slog.String("error", err.Error()))
	if o != nil {
		o.Observe(ctx, sealjwt.Event{Kind: sealjwt.KindRequest, Outcome: sealjwt.OutcomeRefused, Reason: reason, Err: err})
	}
}

func (rc *Receiver) notify(s Seen) {
	if rc.OnMessage != nil {
		rc.OnMessage(s)
	}
}

// preview keeps the first previewSize bytes written to it.
type preview struct{ b []byte }

func (p *preview) Write(b []byte) (int, error) {
	if room := previewSize - len(p.b); room > 0 {
		p.b = append(p.b, b[:min(room, len(b))]...)
	}
	return len(b), nil
}
