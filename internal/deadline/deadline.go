// Package deadline runs a call to a store under a deadline that holds
// whether or not the store's client honours its context: a paused server
// must not hold a request for as long as its client library keeps
// retrying.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNoAnswer reports a call that did not answer within its timeout. The
// call may still run, and even commit, afterwards.
var ErrNoAnswer = errors.New("no answer")

// Call runs call under timeout and returns its answer, or, once the
// timeout passes, an error wrapping ErrNoAnswer and the context's error.
// An answer that arrives after Call gave up goes to late (if not nil), in
// the background, so the caller can undo what it may have done.
func Call[T any](ctx context.Context, timeout time.Duration, call func(context.Context) (T, error), late func(T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	type result struct {
		v   T
		err error
	}
	var (
		mu     sync.Mutex
		gaveUp bool
	)
	done := make(chan result, 1)
	go func() {
		defer cancel()
		v, err := call(ctx)
		mu.Lock()
		done <- result{v, err}
		tooLate := gaveUp
		mu.Unlock()
		if tooLate && late != nil {
			late(v, err)
		}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		select {
		case r := <-done: // an answer that came with the deadline still counts
			return r.v, r.err
		default:
		}
		gaveUp = true
		var zero T
		return zero, fmt.Errorf("%w within %v: %w", ErrNoAnswer, timeout, ctx.Err())
	}
}
