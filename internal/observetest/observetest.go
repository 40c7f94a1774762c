// Package observetest records what a sealjwt.Observer is told, for tests.
package observetest

import (
	"context"
	"sync"

	"github.com/sealjwt/sealjwt"
)

// Recorder is an Observer that keeps every Event. It is safe for
// concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []sealjwt.Event
}

// Observe keeps e.
func (r *Recorder) Observe(_ context.Context, e sealjwt.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Len returns how many events were kept.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Take returns the events kept so far and forgets them.
func (r *Recorder) Take() []sealjwt.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.events
	r.events = nil
	return got
}

// Count returns how many events kept have kind, outcome and reason.
func (r *Recorder) Count(kind sealjwt.Kind, outcome sealjwt.Outcome, reason sealjwt.Reason) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind && e.Outcome == outcome && e.Reason == reason {
			n++
		}
	}
	return n
}
