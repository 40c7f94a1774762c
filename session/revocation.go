package session

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// RevocationFeed is what a Store implements to support
// WithImmediateRevocation: it tells every server of each family revoked
// (logout, reuse, revoke-all, a subject's oldest family forgotten).
type RevocationFeed interface {
	// WatchRevocations subscribes, then calls revoked once with the ids
	// of the families revoked since since (possibly none), then once per
	// later revocation, until ctx ends (it returns ctx.Err()) or the feed
	// is lost (it returns why). It never returns while it still delivers:
	// a store that cannot tell a lost feed must not implement it. Calls to
	// revoked do not overlap.
	WatchRevocations(ctx context.Context, since time.Time, revoked func(familyIDs []string)) error
}

// revocations is a Manager's copy of the families revoked within an
// access token's lifetime, fed by the store. While the feed is down the
// copy may be missing some, so every check fails closed.
type revocations struct {
	feed   RevocationFeed
	keep   time.Duration // how long an access token can outlive its family's revocation
	live   atomic.Bool
	mu     sync.RWMutex
	ids    map[string]time.Time // family id -> when learnt
	pruned time.Time
	stop   context.CancelFunc
	done   chan struct{}
}

// errFeedDown: the revocation feed is not live, so a revocation could be
// missed. Requests fail closed (503) until it is back.
var errFeedDown = fmt.Errorf("%w: the revocation feed is down", ErrStoreUnavailable)

// startRevocations watches feed until Close, re-subscribing after a loss
// (catching up on what it missed), and waits up to wait for the first
// subscription.
func startRevocations(feed RevocationFeed, keep, wait time.Duration) *revocations {
	ctx, stop := context.WithCancel(context.Background())
	r := &revocations{feed: feed, keep: keep, ids: map[string]time.Time{}, stop: stop, done: make(chan struct{})}
	subscribed := make(chan struct{})
	go r.run(ctx, subscribed)
	select {
	case <-subscribed:
	case <-time.After(wait):
	}
	return r
}

func (r *revocations) run(ctx context.Context, subscribed chan struct{}) {
	defer close(r.done)
	var once sync.Once
	for backoff := 50 * time.Millisecond; ctx.Err() == nil; backoff = min(2*backoff, time.Second) {
		_ = r.feed.WatchRevocations(ctx, time.Now().Add(-r.keep), func(ids []string) {
			r.add(ids)
			if !r.live.Load() {
				r.live.Store(true)
				backoff = 50 * time.Millisecond
				once.Do(func() { close(subscribed) })
			}
		})
		r.live.Store(false)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
	}
}

func (r *revocations) add(ids []string) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		r.ids[id] = now
	}
	if now.Sub(r.pruned) > r.keep/8 {
		for id, at := range r.ids {
			if now.Sub(at) > r.keep {
				delete(r.ids, id)
			}
		}
		r.pruned = now
	}
}

// check refuses an access token of a revoked family, and every token
// while the feed is down.
func (r *revocations) check(familyID string) error {
	if !r.live.Load() {
		return errFeedDown
	}
	r.mu.RLock()
	_, revoked := r.ids[familyID]
	r.mu.RUnlock()
	if revoked || familyID == "" {
		return fmt.Errorf("%w: the access token's session was revoked", ErrRevoked)
	}
	return nil
}

func (r *revocations) close() {
	r.stop()
	<-r.done
}
