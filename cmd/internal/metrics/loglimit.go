package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RefusalLinesPerSecond is how many log lines a second each refusal
// reason may write at most (with a burst of as many): a flood of bad
// requests, which anyone can send, cannot fill the disk. The counters stay
// exact; lines over the limit are counted in
// sealjwt_log_lines_dropped_total{reason}, and the next line written for
// that reason says how many were dropped before it (dropped=N).
const RefusalLinesPerSecond = 10

// LogLimiter is a slog.Handler that rate-limits records carrying a
// "reason" attribute, per reason, and passes every other record through.
// It is a prometheus.Collector of the lines it dropped.
type LogLimiter struct {
	next    slog.Handler
	perSec  float64
	now     func() time.Time
	buckets *buckets
}

type buckets struct {
	mu  sync.Mutex
	all map[string]*bucket
}

// bucket is one reason's token bucket and its dropped lines.
type bucket struct {
	tokens  float64
	last    time.Time
	pending int64 // dropped since the last line written
	total   int64
}

// NewLogLimiter limits next to perSecond lines a second per reason.
func NewLogLimiter(next slog.Handler, perSecond int) *LogLimiter {
	return &LogLimiter{next: next, perSec: float64(perSecond), now: time.Now, buckets: &buckets{all: map[string]*bucket{}}}
}

// Enabled implements slog.Handler.
func (l *LogLimiter) Enabled(ctx context.Context, level slog.Level) bool {
	return l.next.Enabled(ctx, level)
}

// Handle writes r unless its reason is over its rate.
func (l *LogLimiter) Handle(ctx context.Context, r slog.Record) error {
	reason := ""
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "reason" {
			reason = a.Value.String()
			return false
		}
		return true
	})
	if reason == "" {
		return l.next.Handle(ctx, r)
	}
	write, dropped := l.take(reason)
	if !write {
		return nil
	}
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int64("dropped", dropped))
	}
	return l.next.Handle(ctx, r)
}

// take spends a token of reason's bucket; it says whether the line may be
// written, and how many lines were dropped since the last one written.
func (l *LogLimiter) take(reason string) (write bool, dropped int64) {
	now := l.now()
	l.buckets.mu.Lock()
	defer l.buckets.mu.Unlock()
	b := l.buckets.all[reason]
	if b == nil {
		b = &bucket{tokens: l.perSec, last: now}
		l.buckets.all[reason] = b
	}
	b.tokens = min(l.perSec, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens < 1 {
		b.pending++
		b.total++
		return false, 0
	}
	b.tokens--
	dropped, b.pending = b.pending, 0
	return true, dropped
}

// WithAttrs implements slog.Handler.
func (l *LogLimiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *l
	c.next = l.next.WithAttrs(attrs)
	return &c
}

// WithGroup implements slog.Handler.
func (l *LogLimiter) WithGroup(name string) slog.Handler {
	c := *l
	c.next = l.next.WithGroup(name)
	return &c
}

var droppedDesc = prometheus.NewDesc("sealjwt_log_lines_dropped_total",
	"Refusal log lines not written because their reason was over its rate (the event counters still count them).",
	[]string{"reason"}, nil)

// Describe implements prometheus.Collector.
func (l *LogLimiter) Describe(ch chan<- *prometheus.Desc) { ch <- droppedDesc }

// Collect implements prometheus.Collector.
func (l *LogLimiter) Collect(ch chan<- prometheus.Metric) {
	l.buckets.mu.Lock()
	defer l.buckets.mu.Unlock()
	for reason, b := range l.buckets.all {
		ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.CounterValue, float64(b.total), reason)
	}
}

// Dropped returns how many lines of reason were dropped in all.
func (l *LogLimiter) Dropped(reason string) int64 {
	l.buckets.mu.Lock()
	defer l.buckets.mu.Unlock()
	if b := l.buckets.all[reason]; b != nil {
		return b.total
	}
	return 0
}
