// Package metrics turns the library's observer events into Prometheus
// metrics for the commands, and counts outcomes for the load summary. The
// library itself exposes only the sealjwt.Observer hook: it does not link
// a metrics client.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
)

// SuggestedAddr is the address the --metrics-addr help suggests: loopback
// only, in the port range set aside for exporters.
const SuggestedAddr = "127.0.0.1:9464"

// Path is where metrics are served.
const Path = "/metrics"

// Prometheus is a sealjwt.Observer that keeps the metrics below in its own
// registry. Every label value comes from a closed set: kinds, outcomes and
// reasons, never anything a peer chose.
//
//	sealjwt_events_total{kind,outcome,reason}     every event
//	sealjwt_open_duration_seconds{outcome}        time to open and verify a request or envelope
//	sealjwt_request_body_bytes                    decrypted body bytes of accepted requests
//	sealjwt_replay_store_errors_total{reason}     requests refused because of the replay store's faults
type Prometheus struct {
	reg         *prometheus.Registry
	events      *prometheus.CounterVec
	openSeconds *prometheus.HistogramVec
	bodyBytes   prometheus.Histogram
	storeErrors *prometheus.CounterVec
}

// NewPrometheus returns the metrics, with the Go runtime and process
// metrics alongside.
func NewPrometheus() *Prometheus {
	p := &Prometheus{
		reg: prometheus.NewRegistry(),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sealjwt_events_total",
			Help: "Outcomes by kind (request, open, response, retry, key_refresh, ...), outcome (accepted, refused) and refusal reason.",
		}, []string{"kind", "outcome", "reason"}),
		openSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sealjwt_open_duration_seconds",
			Help:    "Time from a request's arrival until it was opened and verified, or refused.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16), // 50us to about 1.6s
		}, []string{"outcome"}),
		bodyBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sealjwt_request_body_bytes",
			Help:    "Decrypted request body bytes read by the handler, of accepted requests.",
			Buckets: prometheus.ExponentialBuckets(64, 4, 12), // 64 B to 256 MiB
		}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sealjwt_replay_store_errors_total",
			Help: "Requests refused because the replay store could not answer (store_unavailable), held the jti for a check in doubt (in_doubt), was full of live ids (store_full) or had lost its data since the message was issued (store_reset).",
		}, []string{"reason"}),
	}
	p.reg.MustRegister(p.events, p.openSeconds, p.bodyBytes, p.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for r := range storeReasons {
		p.storeErrors.WithLabelValues(string(r)) // present at zero, so that rate() and alerts see it
	}
	return p
}

// storeReasons are the refusals that sealjwt_replay_store_errors_total
// counts: the replay store's own faults.
var storeReasons = map[sealjwt.Reason]bool{sealjwt.ReasonStoreUnavailable: true, sealjwt.ReasonInDoubt: true,
	sealjwt.ReasonStoreFull: true, sealjwt.ReasonStoreReset: true}

// Observe counts e.
func (p *Prometheus) Observe(_ context.Context, e sealjwt.Event) {
	p.events.WithLabelValues(string(e.Kind), string(e.Outcome), string(e.Reason)).Inc()
	if e.Kind == sealjwt.KindRequest || e.Kind == sealjwt.KindOpen {
		p.openSeconds.WithLabelValues(string(e.Outcome)).Observe(e.Duration.Seconds())
	}
	if e.Kind == sealjwt.KindRequest && e.Outcome == sealjwt.OutcomeAccepted {
		p.bodyBytes.Observe(float64(e.Bytes))
	}
	if storeReasons[e.Reason] {
		p.storeErrors.WithLabelValues(string(e.Reason)).Inc()
	}
}

// Handler serves the metrics in the Prometheus text format.
func (p *Prometheus) Handler() http.Handler {
	return promhttp.HandlerFor(p.reg, promhttp.HandlerOpts{})
}

// Serve listens on addr now (so a bad address fails at startup) and serves
// p at Path in the background; stop ends it. An empty addr serves nothing.
func Serve(addr string, p *Prometheus, log *slog.Logger) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, p.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := app.Serve(ctx, ln, mux, app.DefaultTimeouts); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server failed", "error", err)
		}
	}()
	log.Info("metrics listening", "url", "http://"+ln.Addr().String()+Path)
	return func() { cancel(); <-done }, nil
}

// Observers is a sealjwt.Observer that tells each of its members, skipping
// nil ones.
type Observers []sealjwt.Observer

// Observe passes e to every member.
func (list Observers) Observe(ctx context.Context, e sealjwt.Event) {
	for _, o := range list {
		if o != nil {
			o.Observe(ctx, e)
		}
	}
}
