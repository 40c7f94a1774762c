package transport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/observetest"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// recorder keeps the events of a middleware, a client or a fetcher.
type recorder struct{ observetest.Recorder }

// take waits for n events and returns them, failing on more.
func (r *recorder) take(t *testing.T, n int) []sealjwt.Event {
	t.Helper()
	waitFor(t, "events", func() bool { return r.Len() >= n })
	time.Sleep(10 * time.Millisecond) // room for an extra event to show up
	got := r.Take()
	if len(got) != n {
		t.Fatalf("%d events, want %d: %+v", len(got), n, got)
	}
	return got
}

func (r *recorder) one(t *testing.T) sealjwt.Event { t.Helper(); return r.take(t, 1)[0] }

// checkRefused checks that e is a refusal of kind for want.
func checkRefused(t *testing.T, e sealjwt.Event, kind sealjwt.Kind, want sealjwt.Reason) {
	t.Helper()
	if e.Kind != kind || e.Outcome != sealjwt.OutcomeRefused || e.Reason != want || e.Err == nil {
		t.Fatalf("event %+v, want %s refused for %s", e, kind, want)
	}
}

func TestServerObserverAcceptedRequestReportsVerifiedFacts(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{serverOpts: []ServerOption{WithObserver(rec)}})
	body := strings.Repeat("x", 40000)
	resp, err := h.client.Post(h.srv.URL+"/orders", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	e := rec.one(t)
	if e.Kind != sealjwt.KindRequest || e.Outcome != sealjwt.OutcomeAccepted || e.Reason != "" || e.Err != nil ||
		e.Issuer != senderID || e.Suite != seal.HPKE3 || e.SigAlg != token.EdDSA || e.Bytes != int64(len(body)) || e.Duration <= 0 {
		t.Fatalf("accepted request: %+v", e)
	}
}

// TestServerObserverReportsEachRefusalReason sends one request per reason
// and checks that each is reported once, with that reason and no
// unverified issuer.
func TestServerObserverReportsEachRefusalReason(t *testing.T) {
	var c captured
	rec := &recorder{}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&c, true),
		serverOpts: []ServerOption{WithObserver(rec), WithLogger(log)}})
	resp, err := h.client.Post(h.srv.URL+"/pay", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	rec.one(t)

	c.replay(t, c.method, c.url)
	checkRefused(t, rec.one(t), sealjwt.KindRequest, sealjwt.ReasonReplay)

	c.replay(t, http.MethodPost, h.srv.URL+"/admin")
	e := rec.one(t)
	checkRefused(t, e, sealjwt.KindRequest, sealjwt.ReasonBinding)
	if e.Issuer != "" {
		t.Fatalf("a refused request reported issuer %q", e.Issuer)
	}

	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	checkRefused(t, rec.one(t), sealjwt.KindRequest, sealjwt.ReasonUnsealed)

	for _, want := range []string{`"reason":"replay"`, `"reason":"binding"`, `"reason":"unsealed"`, `"msg":"sealjwt: request accepted"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if n := strings.Count(logs.String(), "request refused"); n != 3 {
		t.Errorf("%d refusal lines for 3 refusals:\n%s", n, logs.String())
	}
}

func TestServerObserverExpiredAndWrongAudience(t *testing.T) {
	past := func() time.Time { return time.Now().Add(-time.Hour) }
	for _, tt := range []struct {
		name string
		cfg  harnessConfig
		want sealjwt.Reason
	}{
		{"expired", harnessConfig{sealerOpts: []token.SignerOption{token.WithClock(past)}}, sealjwt.ReasonExpired},
		{"another audience", harnessConfig{audience: "some-other-service"}, sealjwt.ReasonAudience},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			tt.cfg.serverOpts = []ServerOption{WithObserver(rec)}
			h := newHarness(t, http.HandlerFunc(whoami), tt.cfg)
			resp, err := get(t, h.client, h.srv.URL+"/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			checkRefused(t, rec.one(t), sealjwt.KindRequest, tt.want)
		})
	}
}

// TestAttackTamperedRequestBodyReportedRefused: the envelope is intact, a
// byte of the encrypted body is flipped on the way. The handler sees an
// error, and the request is reported refused, not accepted.
func TestAttackTamperedRequestBodyReportedRefused(t *testing.T) {
	rec := &recorder{}
	flip := func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			body[len(body)-1] ^= 1
			r.Body = io.NopCloser(bytes.NewReader(body))
			return base.RoundTrip(r)
		})
	}
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: flip, serverOpts: []ServerOption{WithObserver(rec)}})
	resp, err := h.client.Post(h.srv.URL+"/orders", "text/plain", strings.NewReader("pay 5 to alice"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e := rec.one(t)
	checkRefused(t, e, sealjwt.KindRequest, sealjwt.ReasonDecryption)
	if e.Bytes != 0 {
		t.Fatalf("tampered body: %d bytes reported read", e.Bytes)
	}
}

func TestClientObserverReportsResponses(t *testing.T) {
	rec := &recorder{}
	tamper := true
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{clientOpts: []ClientOption{WithObserver(rec)},
		wrapBase: rewriteResponse(func(r *http.Response) {
			if tamper {
				r.StatusCode = http.StatusCreated
			}
		})})
	if _, err := get(t, h.client, h.srv.URL+"/"); err == nil {
		t.Fatal("tampered status accepted")
	}
	checkRefused(t, rec.one(t), sealjwt.KindResponse, sealjwt.ReasonResponse)
	tamper = false
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if e := rec.one(t); e.Kind != sealjwt.KindResponse || e.Outcome != sealjwt.OutcomeAccepted {
		t.Fatalf("genuine response: %+v", e)
	}
}

func TestClientObserverReportsRetryAndKeyRefresh(t *testing.T) {
	jwks := &switchingJWKS{}
	jwks.set(t, newPublicSet(t)) // a key the receiver does not hold
	srv := httptest.NewServer(jwks)
	defer srv.Close()
	fetches := &recorder{}
	fetcher, err := NewKeyFetcher(context.Background(), srv.URL, WithRefreshInterval(time.Hour), WithObserver(fetches))
	if err != nil {
		t.Fatal(err)
	}
	defer fetcher.Close()
	if e := fetches.one(t); e.Kind != sealjwt.KindKeyRefresh || e.Outcome != sealjwt.OutcomeAccepted {
		t.Fatalf("first fetch: %+v", e)
	}
	rec := &recorder{}
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{keySource: fetcher, clientOpts: []ClientOption{WithObserver(rec)}})
	jwks.set(t, h.keys.seal.Public())
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	events := rec.take(t, 2)
	if events[0].Kind != sealjwt.KindRetry || events[0].Outcome != sealjwt.OutcomeAccepted || events[1].Kind != sealjwt.KindResponse {
		t.Fatalf("events %+v, want a retry then a response", events)
	}
	fetches.one(t)
	// A fixed key set the receiver does not hold: no retry, reported so.
	h2 := newHarness(t, http.HandlerFunc(whoami), harnessConfig{keySource: StaticKeys(newPublicSet(t)), clientOpts: []ClientOption{WithObserver(rec)}})
	resp, err = get(t, h2.client, h2.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	checkRefused(t, rec.one(t), sealjwt.KindRetry, sealjwt.ReasonUnknownKey)
}

func TestReasonOfTransportErrors(t *testing.T) {
	cases := []struct {
		err  error
		want sealjwt.Reason
	}{
		{errNoSealed, sealjwt.ReasonUnsealed},
		{fmt.Errorf("%w: %q", ErrMisdirected, "evil.example"), sealjwt.ReasonMisdirected},
		{fmt.Errorf("%w: bare envelope", ErrSlowRequest), sealjwt.ReasonTimeout},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), sealjwt.ReasonTimeout},
		{record.ErrTruncated, sealjwt.ReasonMalformed},
		{ErrResponse, sealjwt.ReasonResponse},
		{ErrUnsealedResponse, sealjwt.ReasonResponse},
		{ErrRefreshLimited, sealjwt.ReasonRateLimited},
		{ErrStaticKeys, sealjwt.ReasonUnknownKey},
		{ErrKeySetSignature, sealjwt.ReasonSignature},
		{ErrInsecureKeyURL, sealjwt.ReasonUnsupported},
		{sealjwt.ErrBinding, sealjwt.ReasonBinding},
		{ErrBodyTooLarge, sealjwt.ReasonTooLarge},
		{ErrHeaderConflict, sealjwt.ReasonMalformed},
	}
	for _, c := range cases {
		if got := ReasonOf(c.err); got != c.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// An observer given both to the Opener and to the middleware, as each
// documents, counts every request once: the middleware reports it, and
// the Opens it makes are not reported again. An observer on the Opener
// alone still sees each request, as the Open it made.
func TestObserverOnOpenerAndServerCountsEachRequestOnce(t *testing.T) {
	for _, c := range []struct {
		name       string
		onServer   bool
		wantKind   sealjwt.Kind
		wantEvents int
	}{
		{"opener and server", true, sealjwt.KindRequest, 1},
		{"opener alone", false, sealjwt.KindOpen, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{}
			cfg := harnessConfig{openerOpts: []sealjwt.OpenerOption{sealjwt.WithObserver(rec)}}
			if c.onServer {
				cfg.serverOpts = []ServerOption{WithObserver(rec)}
			}
			h := newHarness(t, http.HandlerFunc(whoami), cfg)
			for i := range 3 {
				resp, err := h.client.Post(h.srv.URL+"/orders", "text/plain", strings.NewReader("x"))
				if err != nil {
					t.Fatal(err)
				}
				readAll(t, resp)
				e := rec.take(t, c.wantEvents)[0]
				if e.Kind != c.wantKind || e.Outcome != sealjwt.OutcomeAccepted {
					t.Fatalf("request %d: %+v, want one accepted %s", i, e, c.wantKind)
				}
			}
		})
	}
}

// WithLogger(nil) logs nowhere, as the default does, rather than failing
// on the first refusal it would log.
func TestWithLoggerNilLogsNowhere(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{serverOpts: []ServerOption{WithLogger(nil)}})
	resp, err := http.Post(h.srv.URL+"/orders", "text/plain", strings.NewReader("unsealed"))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsealed request: %d, want 401", resp.StatusCode)
	}
}

// The middleware's mark covers its own Open only: an envelope the handler
// opens with the request's context, through the same Opener, is still
// reported by the Opener.
func TestObserverOnOpenerSeesTheHandlersOwnOpens(t *testing.T) {
	rec := &recorder{}
	var h *harness
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := io.ReadAll(r.Body)
		if err == nil {
			_, err = h.opener.Open(r.Context(), string(env))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	h = newHarness(t, handler, harnessConfig{openerOpts: []sealjwt.OpenerOption{sealjwt.WithObserver(rec)},
		serverOpts: []ServerOption{WithObserver(rec)}})
	sealer, err := newSealer(h.keys.sign, senderID)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := sealer.Seal(context.Background(), h.keys.seal.Primary().Public(), receiverID, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.client.Post(h.srv.URL+"/relay", "text/plain", strings.NewReader(inner))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	kinds := map[sealjwt.Kind]int{}
	for _, e := range rec.take(t, 2) {
		kinds[e.Kind]++
	}
	if kinds[sealjwt.KindRequest] != 1 || kinds[sealjwt.KindOpen] != 1 {
		t.Fatalf("events by kind %v, want one request and the handler's one open", kinds)
	}
}
