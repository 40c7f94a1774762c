package load

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// Result summarises a run. Latencies are of successful requests only: a
// fast refusal would otherwise flatter the percentiles.
type Result struct {
	Requests    int64 // completed, successful or not
	Errors      int64
	ErrorKinds  map[string]int64 // error message -> count
	Statuses    map[int]int64    // unsealed refusals (409, 503, 429, ...) by status; among Errors
	Cut         int64            // in flight at the end and still unfinished after the drain: not counted in Requests
	Concurrency int
	Elapsed     time.Duration
	P50, P99    time.Duration
	Max         time.Duration
}

func (r *runner) result(elapsed time.Duration, lat []time.Duration) *Result {
	slices.Sort(lat)
	res := &Result{Requests: r.done.Load(), Errors: r.failed.Load(), ErrorKinds: r.errs, Statuses: r.statuses,
		Cut: r.cut.Load(), Concurrency: r.cfg.Concurrency, Elapsed: elapsed}
	if len(lat) > 0 {
		res.P50, res.P99, res.Max = percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
	}
	return res
}

// percentile returns the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

// Throughput is completed requests per second.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Print writes the summary, one figure per line.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "requests:    %d in %v at concurrency %d\n", r.Requests, r.Elapsed.Round(time.Millisecond), r.Concurrency)
	fmt.Fprintf(w, "throughput:  %.1f requests/s\n", r.Throughput())
	fmt.Fprintf(w, "latency:     p50 %v, p99 %v, max %v\n", round(r.P50), round(r.P99), round(r.Max))
	fmt.Fprintf(w, "errors:      %d\n", r.Errors)
	for _, k := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		fmt.Fprintf(w, "  %6d  %s\n", r.ErrorKinds[k], k)
	}
	fmt.Fprintf(w, "unsealed refusals by status:")
	for _, s := range slices.Sorted(maps.Keys(r.Statuses)) {
		fmt.Fprintf(w, " %d: %d", s, r.Statuses[s])
	}
	fmt.Fprintf(w, "\nin flight at the end, cut after the drain: %d\n", r.Cut)
}

func round(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
