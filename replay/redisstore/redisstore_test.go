package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/replaytest"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay"
)

func newTestStore(t *testing.T, opts ...Option) (*Store, *redis.Client) {
	c := testredis.Client(t)
	return New(c, append([]Option{WithPrefix(testredis.Prefix(t, c))}, opts...)...), c
}

// TestRedisStore runs the behaviour every store must show.
func TestRedisStore(t *testing.T) {
	replaytest.Run(t, func(t *testing.T) replay.Store { s, _ := newTestStore(t); return s })
}

func TestReplayAcrossReceiversSharingRedis(t *testing.T) {
	c1 := testredis.Client(t)
	prefix := testredis.Prefix(t, c1)
	c2 := testredis.Client(t) // a second connection pool, as another machine would have
	a, b := New(c1, WithPrefix(prefix)), New(c2, WithPrefix(prefix))

	t.Run("sequential", func(t *testing.T) {
		exp := time.Now().Add(time.Minute)
		if err := a.Check(context.Background(), "iss", "seq", exp); err != nil {
			t.Fatalf("first receiver: %v", err)
		}
		if err := b.Check(context.Background(), "iss", "seq", exp); !errors.Is(err, replay.ErrReplayed) {
			t.Fatalf("second receiver: %v, want ErrReplayed", err)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		got := replaytest.AcceptCount(t, 100, func(i int) replay.Store {
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

// TestAttackClockSkewShortensReplayMemory: a receiver whose clock runs ten
// minutes ahead must still make the shared store remember a pair until the
// token's own expiry (exp plus leeway), not ten minutes less, or a second
// receiver with a correct clock would accept a replay in that gap. The
// expiry Redis holds is the absolute one, to the millisecond.
func TestAttackClockSkewShortensReplayMemory(t *testing.T) {
	ahead := func() time.Time { return time.Now().Add(10 * time.Minute) }
	s, c := newTestStore(t)
	s.now = ahead
	expires := time.Now().Add(15 * time.Minute).Truncate(time.Second).Add(30 * time.Second)
	if err := s.Check(context.Background(), "iss", "skew", expires); err != nil {
		t.Fatal(err)
	}
	k := replay.Key("iss", "skew")
	got, err := c.Do(context.Background(), "PEXPIRETIME", s.prefix+hex.EncodeToString(k[:])).Int64()
	if err != nil {
		t.Fatal(err)
	}
	if got != expires.UnixMilli() {
		t.Fatalf("Redis forgets the pair at %v, want the token's expiry %v", time.UnixMilli(got), expires)
	}
}

func TestReplayAfterExpiryAccepted(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	exp := time.Now().Add(100 * time.Millisecond)
	if err := s.Check(ctx, "iss", "id", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, "iss", "id", exp); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("before expiry: %v, want ErrReplayed", err)
	}
	time.Sleep(time.Until(exp) + 50*time.Millisecond)
	if err := s.Check(ctx, "iss", "id", time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("after expiry: %v, want nil", err)
	}
}

// TestAlreadyExpiredPairRememberedBriefly: Redis deletes a key whose PXAT
// has passed, so a past expiry is kept one millisecond from now, and the
// pair is still refused if it comes straight back.
func TestAlreadyExpiredPairRememberedBriefly(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	s, _ := newTestStore(t)
	s.now = func() time.Time { return now.Add(time.Minute) } // a clock that will not pass the key's expiry during the test
	past := now.Add(-time.Hour)
	if err := s.Check(ctx, "iss", "id", past); err != nil {
		t.Fatalf("expired pair: %v, want nil", err)
	}
	if err := s.Check(ctx, "iss", "id", past); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("immediate replay of an expired pair: %v, want ErrReplayed", err)
	}
}

func TestRedisUnreachableFailsClosed(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	err := New(c).Check(context.Background(), "iss", "id", time.Now().Add(time.Minute))
	if !errors.Is(err, replay.ErrUnavailable) {
		t.Fatalf("unreachable Redis: %v, want ErrUnavailable", err)
	}
}

func TestRedisCancelledContextFailsClosed(t *testing.T) {
	s, _ := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Check(ctx, "iss", "id", time.Now().Add(time.Minute))
	if !errors.Is(err, replay.ErrUnavailable) {
		t.Fatalf("cancelled context: %v, want ErrUnavailable", err)
	}
}
