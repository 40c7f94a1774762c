package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// flakyFeed is a Memory store whose revocation feed can be cut.
type flakyFeed struct {
	*Memory
	mu   sync.Mutex
	down bool
	cut  context.CancelFunc
}

func (f *flakyFeed) WatchRevocations(ctx context.Context, since time.Time, revoked func([]string)) error {
	f.mu.Lock()
	if f.down {
		f.mu.Unlock()
		return errors.New("feed unreachable")
	}
	ctx, f.cut = context.WithCancel(ctx)
	f.mu.Unlock()
	_ = f.Memory.WatchRevocations(ctx, since, revoked)
	return errors.New("feed lost")
}

func (f *flakyFeed) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
	if down && f.cut != nil {
		f.cut()
	}
}

// waitFor polls cond for up to limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
	}
}

// TestFaultRevocationFeedLostFailsClosed: while the feed is down a
// revocation could be missed, so every access token gets 503; when the
// feed is back, the revocations made meanwhile are caught up.
func TestFaultRevocationFeedLostFailsClosed(t *testing.T) {
	ctx := context.Background()
	store := &flakyFeed{Memory: NewMemory()}
	m := newManager(t, newClock(), WithStore(store), WithImmediateRevocation())
	t.Cleanup(func() { _ = m.Close() })
	kept, err := m.Login(ctx, Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ended, err := m.Login(ctx, Grant{Subject: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Authenticate(ctx, kept.Access); err != nil {
		t.Fatalf("feed up: %v", err)
	}
	store.setDown(true)
	waitFor(t, time.Second, "refused while the feed is down", func() bool {
		_, err := m.Authenticate(ctx, kept.Access)
		return errors.Is(err, ErrStoreUnavailable)
	})
	h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("admitted while the feed is down") }))
	req := httptest.NewRequest(http.MethodGet, "https://api.example/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+kept.Access)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("middleware while the feed is down: %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	if err := store.RevokeSubject(ctx, "bob"); err != nil { // missed by the feed
		t.Fatal(err)
	}
	store.setDown(false)
	waitFor(t, 3*time.Second, "admitted once the feed is back", func() bool {
		_, err := m.Authenticate(ctx, kept.Access)
		return err == nil
	})
	if _, err := m.Authenticate(ctx, ended.Access); !errors.Is(err, ErrRevoked) {
		t.Fatalf("a revocation made while the feed was down: %v, want ErrRevoked once caught up", err)
	}
}

// A Manager refuses WithImmediateRevocation on a store without a feed.
func TestImmediateRevocationNeedsAFeed(t *testing.T) {
	_, err := NewManager(apiID, signingKeys(t), WithStore(unreachable{}), WithImmediateRevocation())
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("NewManager: %v, want ErrConfig", err)
	}
}
