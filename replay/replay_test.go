package replay

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sealjwt/sealjwt/internal/testredis"
)

// stores returns one fresh store of each kind, named for table tests.
func stores(t *testing.T) map[string]func(t *testing.T) Store {
	return map[string]func(t *testing.T) Store{
		"store=memory": func(t *testing.T) Store { return NewMemory() },
		"store=redis": func(t *testing.T) Store {
			c := testredis.Client(t)
			return NewRedis(c, WithPrefix(testredis.Prefix(t, c)))
		},
	}
}

// acceptCount runs Check for the same pair from n goroutines at once and
// returns how many were accepted, failing on any error other than a replay.
func acceptCount(t *testing.T, n int, pick func(i int) Store) int {
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
			case !errors.Is(err, ErrReplayed):
				t.Errorf("Check: %v, want nil or ErrReplayed", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return int(accepted.Load())
}

func TestConcurrentReplayAcceptedOnce(t *testing.T) {
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			if got := acceptCount(t, 100, func(int) Store { return s }); got != 1 {
				t.Fatalf("100 concurrent checks of one pair accepted %d times, want 1", got)
			}
		})
	}
}

func TestReplayAcrossReceiversSharingRedis(t *testing.T) {
	c1 := testredis.Client(t)
	prefix := testredis.Prefix(t, c1)
	c2 := testredis.Client(t) // a second connection pool, as another machine would have
	a, b := NewRedis(c1, WithPrefix(prefix)), NewRedis(c2, WithPrefix(prefix))

	t.Run("sequential", func(t *testing.T) {
		exp := time.Now().Add(time.Minute)
		if err := a.Check(context.Background(), "iss", "seq", exp); err != nil {
			t.Fatalf("first receiver: %v", err)
		}
		if err := b.Check(context.Background(), "iss", "seq", exp); !errors.Is(err, ErrReplayed) {
			t.Fatalf("second receiver: %v, want ErrReplayed", err)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		got := acceptCount(t, 100, func(i int) Store {
			if i%2 == 0 {
				return a
			}
			return b
		})
		if got != 1 {
			t.Fatalf("two receivers accepted the pair %d times in total, want 1", got)
		}
	})
}

func TestReplayAfterExpiryAccepted(t *testing.T) {
	ctx := context.Background()
	t.Run("store=memory", func(t *testing.T) {
		now := time.Unix(1_700_000_000, 0)
		m := NewMemory(WithClock(func() time.Time { return now }))
		exp := now.Add(time.Minute)
		if err := m.Check(ctx, "iss", "id", exp); err != nil {
			t.Fatal(err)
		}
		now = exp.Add(-time.Nanosecond)
		if err := m.Check(ctx, "iss", "id", exp); !errors.Is(err, ErrReplayed) {
			t.Fatalf("just before expiry: %v, want ErrReplayed", err)
		}
		now = exp
		if err := m.Check(ctx, "iss", "id", exp.Add(time.Minute)); err != nil {
			t.Fatalf("at expiry: %v, want nil", err)
		}
	})
	t.Run("store=redis", func(t *testing.T) {
		c := testredis.Client(t)
		r := NewRedis(c, WithPrefix(testredis.Prefix(t, c)))
		exp := time.Now().Add(100 * time.Millisecond)
		if err := r.Check(ctx, "iss", "id", exp); err != nil {
			t.Fatal(err)
		}
		if err := r.Check(ctx, "iss", "id", exp); !errors.Is(err, ErrReplayed) {
			t.Fatalf("before expiry: %v, want ErrReplayed", err)
		}
		time.Sleep(time.Until(exp) + 50*time.Millisecond)
		if err := r.Check(ctx, "iss", "id", time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("after expiry: %v, want nil", err)
		}
	})
}

func TestAlreadyExpiredPairRememberedBriefly(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(WithClock(func() time.Time { return now }))
	past := now.Add(-time.Hour)
	if err := m.Check(ctx, "iss", "id", past); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(ctx, "iss", "id", past); !errors.Is(err, ErrReplayed) {
		t.Fatalf("immediate replay of an expired pair: %v, want ErrReplayed", err)
	}
	now = now.Add(minTTL)
	if err := m.Check(ctx, "iss", "id", past); err != nil {
		t.Fatalf("after minTTL: %v, want nil", err)
	}

	c := testredis.Client(t)
	r := NewRedis(c, WithPrefix(testredis.Prefix(t, c)))
	if err := r.Check(ctx, "iss", "id", time.Now().Add(-time.Hour)); err != nil {
		t.Fatalf("redis, expired pair: %v, want nil (PX clamped to 1 ms)", err)
	}
}

func TestFloodOfLiveEntriesFailsClosed(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(WithCapacity(3), WithClock(func() time.Time { return now }))
	for i, d := range []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute} {
		if err := m.Check(ctx, "iss", string(rune('a'+i)), now.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Check(ctx, "iss", "d", now.Add(time.Hour)); !errors.Is(err, ErrFull) {
		t.Fatalf("full of live entries: %v, want ErrFull", err)
	}
	// The refused pair must not have been remembered either.
	now = now.Add(90 * time.Second) // "a" has expired; "b" and "c" are live
	if err := m.Check(ctx, "iss", "d", now.Add(time.Hour)); err != nil {
		t.Fatalf("after one entry expired: %v, want nil", err)
	}
	if got := m.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3 (expired entry evicted)", got)
	}
	for _, live := range []string{"b", "c", "d"} {
		if err := m.Check(ctx, "iss", live, now.Add(time.Hour)); !errors.Is(err, ErrReplayed) {
			t.Fatalf("live entry %q was evicted: %v", live, err)
		}
	}
}

func TestKeyCollisionBetweenIssuerAndID(t *testing.T) {
	pairs := []struct{ name, iss1, id1, iss2, id2 string }{
		{"separator-in-issuer", "a:b", "c", "a", "b:c"},
		{"plain-concatenation", "ab", "c", "a", "bc"},
		{"empty-issuer", "", "ab", "ab", ""},
		{"nul-byte", "a\x00", "b", "a", "\x00b"},
		{"prefix-shaped", "sealjwt:replay:", "x", "sealjwt:", "replay:x"},
	}
	for name, mk := range stores(t) {
		t.Run(name, func(t *testing.T) {
			for _, p := range pairs {
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
}

func TestRedisUnreachableFailsClosed(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	err := NewRedis(c).Check(context.Background(), "iss", "id", time.Now().Add(time.Minute))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("unreachable Redis: %v, want ErrUnavailable", err)
	}
}

func TestRedisCancelledContextFailsClosed(t *testing.T) {
	c := testredis.Client(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewRedis(c, WithPrefix(testredis.Prefix(t, c))).Check(ctx, "iss", "id", time.Now().Add(time.Minute))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("cancelled context: %v, want ErrUnavailable", err)
	}
}
