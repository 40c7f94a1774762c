package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/replaytest"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay"
)

func newTestStore(t *testing.T, opts ...Option) (*Store, *redis.Client) {
	c := testredis.Client(t)
	return mustNew(t, c, append([]Option{WithPrefix(testredis.Prefix(t, c))}, opts...)...), c
}

func mustNew(t testing.TB, c redis.UniversalClient, opts ...Option) *Store {
	t.Helper()
	s, err := New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A prefix with a brace is refused, as by the session store: on Cluster
// it would move every key to one hash slot.
func TestWithPrefixRefusesBraces(t *testing.T) {
	for _, p := range []string{"app{1}:", "a{", "}"} {
		_, err := New(nil, WithPrefix(p))
		if err == nil || !strings.Contains(err.Error(), "WithPrefix must not contain '{' or '}', got") {
			t.Errorf("prefix %q: %v, want refused, naming WithPrefix", p, err)
		}
	}
}

// TestRedisStore runs the behaviour every store must show.
func TestRedisStore(t *testing.T) {
	replaytest.Run(t, func(t *testing.T) replay.Store { s, _ := newTestStore(t); return s })
}

func TestReplayAcrossReceiversSharingRedis(t *testing.T) {
	c1 := testredis.Client(t)
	prefix := testredis.Prefix(t, c1)
	c2 := testredis.Client(t) // a second connection pool, as another machine would have
	a, b := mustNew(t, c1, WithPrefix(prefix)), mustNew(t, c2, WithPrefix(prefix))

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
	err := mustNew(t, c).Check(context.Background(), "iss", "id", time.Now().Add(time.Minute))
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

// pairKey is the key the store files (iss, id) under.
func (s *Store) pairKey(iss, id string) string {
	k := replay.Key(iss, id)
	return s.prefix + hex.EncodeToString(k[:])
}

// TestFaultClientRetryOfSameCheckAccepted: go-redis sends a command again
// when it did not hear the reply; Redis then runs both. The second run
// finds the check's own value and accepts, where a plain SET NX took the
// message for a replay of itself. Another check of the pair is a replay.
func TestFaultClientRetryOfSameCheckAccepted(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	key, exp, deadline := s.pairKey("iss", "id"), time.Now().Add(time.Minute), time.Now().Add(time.Second)
	for i := range 2 {
		if verdict, _, err := s.run(ctx, key, "own-value", deadline, exp); err != nil || verdict != nil {
			t.Fatalf("run %d of the same check: verdict %v, err %v; want accepted", i+1, verdict, err)
		}
	}
	if verdict, _, err := s.run(ctx, key, "other-value", deadline, exp); err != nil || !errors.Is(verdict, replay.ErrReplayed) {
		t.Fatalf("another check: verdict %v, err %v; want ErrReplayed", verdict, err)
	}
}

// TestFaultLateCheckDoesNotSpendPair: a check that reaches Redis after its
// deadline (a paused server resumed; the receiver already answered 503)
// writes nothing, so the sender's retry with the same jti is accepted.
func TestFaultLateCheckDoesNotSpendPair(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	key, exp := s.pairKey("iss", "id"), time.Now().Add(time.Minute)
	if _, _, err := s.run(ctx, key, "late", time.Now().Add(-time.Second), exp); err == nil {
		t.Fatal("a check past its deadline was accepted")
	}
	if err := s.Check(ctx, "iss", "id", exp); err != nil {
		t.Fatalf("retry after the late check: %v, want accepted", err)
	}
}

// TestFaultReplyLostAfterCommitInDoubtThenGivenBack: a check committed but
// its receiver never heard the answer and said 503. Until that receiver
// gives the pair back, the retry is 503 (in doubt), not 409; once given
// back, the retry is accepted, once. Without a give-back the pair counts
// as seen when the in-doubt window ends.
func TestFaultReplyLostAfterCommitInDoubtThenGivenBack(t *testing.T) {
	ctx := context.Background()
	const window = time.Second
	s, _ := newTestStore(t, WithInDoubt(window))
	exp := time.Now().Add(time.Minute)
	commit := func(id string) (key string) {
		key = s.pairKey("iss", id)
		if verdict, _, err := s.run(ctx, key, "lost-reply", time.Now().Add(500*time.Millisecond), exp); err != nil || verdict != nil {
			t.Fatalf("commit: %v %v", verdict, err)
		}
		time.Sleep(600 * time.Millisecond) // past the deadline the lost check had
		if err := s.Check(ctx, "iss", id, exp); !errors.Is(err, replay.ErrInDoubt) || !errors.Is(err, replay.ErrUnavailable) {
			t.Fatalf("retry while in doubt: %v, want ErrInDoubt (a 503)", err)
		}
		return key
	}

	s.release(commit("given-back"), "lost-reply", exp)
	if err := s.Check(ctx, "iss", "given-back", exp); err != nil {
		t.Fatalf("retry after the give-back: %v, want accepted", err)
	}
	if err := s.Check(ctx, "iss", "given-back", exp); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("second retry: %v, want ErrReplayed", err)
	}

	commit("never-given-back")
	time.Sleep(window)
	if err := s.Check(ctx, "iss", "never-given-back", exp); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("after the in-doubt window: %v, want ErrReplayed", err)
	}
}

// TestFaultFlushRefusesMessagesIssuedBefore: the store's keys vanish (a
// flush, a restart without persistence): a replay of a message accepted
// before is refused as issued before the store's data began, not
// accepted; a message issued after the new epoch plus the margin is
// accepted.
func TestFaultFlushRefusesMessagesIssuedBefore(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t, WithResetMargin(2*time.Second))
	prefix := s.prefix
	issued, exp := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	if _, err := c.Set(ctx, prefix+epochSuffix, "old:0", 0).Result(); err != nil { // data since 1970
		t.Fatal(err)
	}
	if err := s.CheckIssued(ctx, "iss", "before", issued, exp); err != nil {
		t.Fatalf("before the flush: %v", err)
	}
	flushPrefix(t, c, prefix)
	err := s.CheckIssued(ctx, "iss", "before", issued, exp)
	if !errors.Is(err, replay.ErrReset) {
		t.Fatalf("replay after the flush: %v, want ErrReset", err)
	}
	if sealjwt.ReasonOf(err) != sealjwt.ReasonStoreReset {
		t.Fatalf("reason %q, want %q", sealjwt.ReasonOf(err), sealjwt.ReasonStoreReset)
	}
	epoch, err := s.Epoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckIssued(ctx, "iss", "within-margin", epoch.Add(time.Second), exp); !errors.Is(err, replay.ErrReset) {
		t.Fatalf("issued within the margin after the new epoch: %v, want ErrReset", err)
	}
	if err := s.CheckIssued(ctx, "iss", "after", epoch.Add(2*time.Second), exp); err != nil {
		t.Fatalf("issued after the new epoch plus the margin: %v, want accepted", err)
	}
}

// flushPrefix deletes every key under prefix, as FLUSHALL would on a
// private server.
func flushPrefix(t *testing.T, c *redis.Client, prefix string) {
	t.Helper()
	keys, err := c.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys under %s: %v %v", prefix, keys, err)
	}
	if err := c.Del(context.Background(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestPairWrittenByEarlierVersionIsSeen: a key holding the "1" the
// previous version wrote counts as seen.
func TestPairWrittenByEarlierVersionIsSeen(t *testing.T) {
	ctx := context.Background()
	s, c := newTestStore(t)
	exp := time.Now().Add(time.Minute)
	if err := c.Set(ctx, s.pairKey("iss", "old"), "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, "iss", "old", exp); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("pair written as 1: %v, want ErrReplayed", err)
	}
}
