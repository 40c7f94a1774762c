package metrics

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
)

func scrape(t *testing.T, p *Prometheus) string {
	t.Helper()
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, httptest.NewRequest("GET", Path, nil))
	return rec.Body.String()
}

func TestPrometheusCountsByOutcomeAndReason(t *testing.T) {
	p := NewPrometheus()
	var tally Tally
	o := Observers{p, nil, &tally}
	ctx := context.Background()
	o.Observe(ctx, sealjwt.Event{Kind: sealjwt.KindRequest, Outcome: sealjwt.OutcomeAccepted, Bytes: 1000, Duration: time.Millisecond, Issuer: "orders"})
	for range 3 {
		err := errors.Join(replay.ErrUnavailable, errors.New("dial tcp: refused"))
		o.Observe(ctx, sealjwt.Event{Kind: sealjwt.KindRequest, Outcome: sealjwt.OutcomeRefused, Reason: sealjwt.ReasonOf(err), Err: err})
	}
	o.Observe(ctx, sealjwt.Event{Kind: sealjwt.KindKeyRefresh, Outcome: sealjwt.OutcomeAccepted})
	out := scrape(t, p)
	for _, want := range []string{
		`sealjwt_events_total{kind="request",outcome="accepted",reason=""} 1`,
		`sealjwt_events_total{kind="request",outcome="refused",reason="store_unavailable"} 3`,
		`sealjwt_events_total{kind="key_refresh",outcome="accepted",reason=""} 1`,
		`sealjwt_replay_store_errors_total{reason="store_unavailable"} 3`,
		`sealjwt_replay_store_errors_total{reason="store_full"} 0`,
		`sealjwt_open_duration_seconds_count{outcome="refused"} 3`,
		`sealjwt_open_duration_seconds_sum{outcome="accepted"} 0.001`,
		`sealjwt_request_body_bytes_sum 1000`,
		`sealjwt_request_body_bytes_count 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(out, "orders") {
		t.Error("the issuer became a label")
	}
	if got := tally.Count(sealjwt.KindRequest, sealjwt.OutcomeRefused, sealjwt.ReasonStoreUnavailable); got != 3 {
		t.Errorf("tally: %d store_unavailable refusals, want 3", got)
	}
	var b strings.Builder
	tally.Print(&b, "outcomes:")
	want := "outcomes:\n" +
		"  key_refresh  accepted                       1\n" +
		"  request      accepted                       1\n" +
		"  request      refused (store_unavailable)    3\n"
	if b.String() != want {
		t.Errorf("tally printed\n%s\nwant\n%s", b.String(), want)
	}
}

func TestTallyPrintsNothingWithoutEvents(t *testing.T) {
	var tally Tally
	var b strings.Builder
	tally.Print(&b, "outcomes:")
	if b.Len() != 0 {
		t.Fatalf("printed %q", b.String())
	}
}

// BenchmarkPrometheusObserve is the cost the metrics add to each request,
// next to BenchmarkTransportRoundTrip's cost of the request itself.
func BenchmarkPrometheusObserve(b *testing.B) {
	p := NewPrometheus()
	ctx := context.Background()
	e := sealjwt.Event{Kind: sealjwt.KindRequest, Outcome: sealjwt.OutcomeAccepted, Bytes: 256, Duration: 300 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		p.Observe(ctx, e)
	}
}
