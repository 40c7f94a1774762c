// Package load runs a bounded load against a receiver on this machine and
// summarises it: throughput, latency percentiles and errors by kind. It is
// bounded in requests and time, and refuses any target that is not a
// loopback address, so it cannot be pointed at someone else's service.
package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Limits on a run, whatever the caller asks for.
const (
	MaxRequests    = 10_000_000
	MaxConcurrency = 1024
	MaxDuration    = 10 * time.Minute
	maxErrorKinds  = 16 // distinct error messages kept; the rest are "other"
)

// Config describes a run. It ends after Requests requests or after
// Duration, whichever comes first; at least one must be set.
type Config struct {
	Requests    int
	Concurrency int
	Duration    time.Duration
	// Progress, if set, is called about every ProgressEvery with the
	// requests done and failed so far.
	Progress      func(done, failed int64)
	ProgressEvery time.Duration
	// Drain is how long requests still in flight when Duration ends may
	// take to finish (default DefaultDrain, at most MaxDrain): they ran at
	// the receiver, so they are waited for and counted; only those still
	// unfinished then are cut, and counted as cut.
	Drain time.Duration
}

// DefaultDrain and MaxDrain bound the wait for requests in flight at the
// end of a timed run.
const (
	DefaultDrain = 5 * time.Second
	MaxDrain     = time.Minute
)

// ErrNotLoopback is returned for a target outside this machine.
var ErrNotLoopback = errors.New("load: target must be a loopback address (127.0.0.0/8, ::1 or localhost)")

// CheckLoopback refuses a target URL whose host is not a loopback address.
// Names other than "localhost" are refused rather than resolved: a name
// could resolve elsewhere by the time requests are sent.
func CheckLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("load: bad target URL %q", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return ErrNotLoopback
}

// Validate checks the config against the limits; Run calls it too.
func (c *Config) Validate() error {
	switch {
	case c.Requests <= 0 && c.Duration <= 0:
		return errors.New("load: set a number of requests or a duration")
	case c.Requests > MaxRequests:
		return fmt.Errorf("load: at most %d requests", MaxRequests)
	case c.Duration > MaxDuration:
		return fmt.Errorf("load: at most %v", MaxDuration)
	case c.Concurrency < 1 || c.Concurrency > MaxConcurrency:
		return fmt.Errorf("load: concurrency must be 1 to %d", MaxConcurrency)
	case c.Drain < 0 || c.Drain > MaxDrain:
		return fmt.Errorf("load: drain must be 0 to %v", MaxDrain)
	}
	return nil
}

// Run calls do from Concurrency goroutines until the run is over, and
// returns the summary. do gets the request's sequence number.
func Run(ctx context.Context, cfg Config, do func(ctx context.Context, i int) error) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	issue, requests := ctx, ctx // until new requests stop; until requests in flight are cut
	if cfg.Duration > 0 {
		drain := cfg.Drain
		if drain == 0 {
			drain = DefaultDrain
		}
		var cancelIssue, cancelRequests context.CancelFunc
		issue, cancelIssue = context.WithTimeout(ctx, cfg.Duration)
		defer cancelIssue()
		requests, cancelRequests = context.WithTimeout(ctx, cfg.Duration+drain)
		defer cancelRequests()
	}
	r := &runner{cfg: cfg, do: do, errs: map[string]int64{}, statuses: map[int]int64{}}
	stop := r.startProgress()
	start := time.Now()
	var wg sync.WaitGroup
	lat := make([][]time.Duration, cfg.Concurrency)
	for w := range cfg.Concurrency {
		wg.Go(func() { lat[w] = r.worker(issue, requests) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	return r.result(elapsed, slices.Concat(lat...)), nil
}

type runner struct {
	cfg          Config
	do           func(context.Context, int) error
	next         atomic.Int64
	done, failed atomic.Int64
	cut          atomic.Int64

	mu       sync.Mutex
	errs     map[string]int64
	statuses map[int]int64
}

// worker sends requests until the count is reached or issue ends, each
// under requests, and returns the latencies of the requests it completed.
func (r *runner) worker(issue, requests context.Context) []time.Duration {
	var lat []time.Duration
	for issue.Err() == nil {
		i := int(r.next.Add(1)) - 1
		if r.cfg.Requests > 0 && i >= r.cfg.Requests {
			break
		}
		t0 := time.Now()
		err := r.do(requests, i)
		d := time.Since(t0)
		if err != nil && requests.Err() != nil {
			r.cut.Add(1) // still unfinished after the drain: neither a success nor a failure
			break
		}
		r.done.Add(1)
		if err != nil {
			r.failed.Add(1)
			r.record(err)
			continue
		}
		lat = append(lat, d)
	}
	return lat
}

// StatusError is an error carrying the HTTP status a receiver answered
// (an unsealed refusal): Run counts these by status.
type StatusError interface {
	error
	StatusCode() int
}

func (r *runner) record(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if se, ok := errors.AsType[StatusError](err); ok {
		r.statuses[se.StatusCode()]++
	}
	kind := err.Error()
	if _, ok := r.errs[kind]; !ok && len(r.errs) >= maxErrorKinds {
		kind = "other errors"
	}
	r.errs[kind]++
}

func (r *runner) startProgress() (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	every := r.cfg.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				r.cfg.Progress(r.done.Load(), r.failed.Load())
			}
		}
	}()
	return func() { close(quit); <-done }
}
