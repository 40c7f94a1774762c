// Package replaytest holds the behaviour every replay.Store must show,
// run by the tests of each store.
package replaytest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/replay"
)

// Run checks a store made fresh by mk for each case: a pair checked by 100
// goroutines at once is accepted once, and pairs whose issuer and id only
// concatenate alike are distinct.
func Run(t *testing.T, mk func(t *testing.T) replay.Store) {
	t.Run("ConcurrentReplayAcceptedOnce", func(t *testing.T) {
		s := mk(t)
		if got := AcceptCount(t, 100, func(int) replay.Store { return s }); got != 1 {
			t.Fatalf("100 concurrent checks of one pair accepted %d times, want 1", got)
		}
	})
	t.Run("KeyCollisionBetweenIssuerAndID", func(t *testing.T) {
		for _, p := range []struct{ name, iss1, id1, iss2, id2 string }{
			{"separator-in-issuer", "a:b", "c", "a", "b:c"},
			{"plain-concatenation", "ab", "c", "a", "bc"},
			{"empty-issuer", "", "ab", "ab", ""},
			{"nul-byte", "a\x00", "b", "a", "\x00b"},
			{"prefix-shaped", "sealjwt:replay:", "x", "sealjwt:", "replay:x"},
		} {
			t.Run(p.name, func(t *testing.T) {
				s := mk(t)
				exp := time.Now().Add(time.Minute)
				if err := s.Check(context.Background(), p.iss1, p.id1, exp); err != nil {
					t.Fatal(err)
				}
				if err := s.Check(context.Background(), p.iss2, p.id2, exp); err != nil {
					t.Fatalf("(%q, %q) taken for (%q, %q): %v", p.iss2, p.id2, p.iss1, p.id1, err)
				}
			})
		}
	})
}

// AcceptCount runs Check for the same pair from n goroutines at once, on
// the store pick(i) returns for goroutine i, and returns how many were
// accepted, failing on any error other than a replay.
func AcceptCount(t *testing.T, n int, pick func(i int) replay.Store) int {
	t.Helper()
	var accepted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	exp := time.Now().Add(time.Minute)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := pick(i).Check(context.Background(), "issuer", "jti-1", exp)
			switch {
			case err == nil:
				accepted.Add(1)
			case !errors.Is(err, replay.ErrReplayed):
				t.Errorf("Check: %v, want nil or ErrReplayed", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(accepted.Load())
}
