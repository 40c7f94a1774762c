package load

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckLoopbackRefusesOtherHosts(t *testing.T) {
	cases := map[string]bool{
		"http://127.0.0.1:9000":      true,
		"http://127.9.9.9/":          true,
		"http://[::1]:9000/messages": true,
		"http://localhost:9000":      true,
		"http://10.0.0.1:9000":       false,
		"http://192.0.2.1":           false,
		"https://example.com":        false,
		"http://localhost.evil.com/": false,
		"http://0.0.0.0:9000":        false,
		"not a url":                  false,
		"":                           false,
	}
	for target, ok := range cases {
		if err := CheckLoopback(target); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", target, err, ok)
		}
	}
}

func TestRunCountsEveryRequestOnce(t *testing.T) {
	var calls atomic.Int64
	seen := make([]atomic.Int32, 500)
	res, err := Run(context.Background(), Config{Requests: 500, Concurrency: 7}, func(_ context.Context, i int) error {
		calls.Add(1)
		seen[i].Add(1)
		if i%10 == 0 {
			return errors.New("boom")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 500 || res.Requests != 500 || res.Errors != 50 || res.ErrorKinds["boom"] != 50 {
		t.Fatalf("calls %d, result %+v", calls.Load(), res)
	}
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("request %d sent %d times", i, seen[i].Load())
		}
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	start := time.Now()
	res, err := Run(context.Background(), Config{Duration: 200 * time.Millisecond, Concurrency: 3}, func(ctx context.Context, _ int) error {
		select {
		case <-time.After(5 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second || res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("elapsed %v, result %+v: requests cut off by the deadline must not count as errors", el, res)
	}
}

func TestPercentilesNearestRank(t *testing.T) {
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Millisecond
	}
	if p := percentile(lat, 50); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(lat, 99); p != 99*time.Millisecond {
		t.Errorf("p99 = %v", p)
	}
	if p := percentile(lat[:1], 99); p != time.Millisecond {
		t.Errorf("p99 of one = %v", p)
	}
}

func TestConfigLimits(t *testing.T) {
	bad := []Config{
		{Concurrency: 1},
		{Requests: 10, Concurrency: 0},
		{Requests: 10, Concurrency: MaxConcurrency + 1},
		{Requests: MaxRequests + 1, Concurrency: 1},
		{Duration: MaxDuration + time.Second, Concurrency: 1},
	}
	for _, c := range bad {
		if _, err := Run(context.Background(), c, func(context.Context, int) error { return nil }); err == nil {
			t.Errorf("Run(%+v) accepted", c)
		}
	}
}

func TestErrorKindsAreBounded(t *testing.T) {
	res, err := Run(context.Background(), Config{Requests: 100, Concurrency: 2}, func(_ context.Context, i int) error {
		return errors.New("error " + strings.Repeat("x", i))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ErrorKinds) > maxErrorKinds+1 || res.ErrorKinds["other errors"] == 0 {
		t.Fatalf("%d error kinds", len(res.ErrorKinds))
	}
	var b strings.Builder
	res.Print(&b)
	if !strings.Contains(b.String(), "errors:      100") {
		t.Fatalf("summary:\n%s", b.String())
	}
}

type statusErr int

func (s statusErr) Error() string   { return "refused" }
func (s statusErr) StatusCode() int { return int(s) }

// TestRunCountsRequestsInFlightAtTheEndAndRefusalsByStatus: requests still
// running when the duration ends ran at the receiver, so the run waits
// for them (within the drain) and counts them, and unsealed refusals are
// counted by status; totals then match what a receiver counted. A request
// that outlives the drain is counted as cut.
func TestRunCountsRequestsInFlightAtTheEndAndRefusalsByStatus(t *testing.T) {
	var started, finished atomic.Int64
	cfg := Config{Concurrency: 4, Duration: 50 * time.Millisecond, Drain: time.Second}
	res, err := Run(context.Background(), cfg, func(ctx context.Context, i int) error {
		started.Add(1)
		select {
		case <-time.After(80 * time.Millisecond): // every request outlives the run's duration
		case <-ctx.Done():
			return ctx.Err()
		}
		finished.Add(1)
		return []error{nil, statusErr(409), statusErr(503), statusErr(503)}[i%4]
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != started.Load() || res.Requests != finished.Load() || res.Cut != 0 {
		t.Fatalf("counted %d (cut %d) of %d started, %d finished; want all", res.Requests, res.Cut, started.Load(), finished.Load())
	}
	if res.Statuses[409] != 1 || res.Statuses[503] != 2 || res.Errors != 3 {
		t.Fatalf("statuses %v, errors %d; want 409: 1, 503: 2 of 3", res.Statuses, res.Errors)
	}

	cfg.Drain = 10 * time.Millisecond
	res, err = Run(context.Background(), cfg, func(ctx context.Context, i int) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil || res.Cut != 4 || res.Requests != 0 {
		t.Fatalf("requests outliving the drain: %d counted, %d cut, %v; want 0 and 4", res.Requests, res.Cut, err)
	}
}
