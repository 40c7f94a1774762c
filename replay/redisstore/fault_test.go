package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay"
)

// faultTimeout is the store deadline of the fault tests: short, so that
// a pause several times longer keeps the tests fast.
const faultTimeout = 300 * time.Millisecond

// schedulingSlack is how much later than the deadline an answer may come
// on a loaded machine (under -race, on two shared cores).
const schedulingSlack = 400 * time.Millisecond

// proxiedStore returns a store reaching the shared Redis through a fault
// proxy, on a client made with ClientOptions (as the receiver makes it),
// with opts applied to it.
func proxiedStore(t *testing.T, clientOpts func(*redis.Options), opts ...Option) (*Store, *faultproxy.Proxy) {
	t.Helper()
	shared := testredis.Client(t)
	p := faultproxy.New(t, testredis.Addr())
	o := ClientOptions(&redis.Options{Addr: p.Addr()})
	if clientOpts != nil {
		clientOpts(o)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { _ = c.Close() })
	opts = append([]Option{WithPrefix(testredis.Prefix(t, shared)), WithTimeout(faultTimeout), WithResetMargin(0)}, opts...)
	s := mustNew(t, c, opts...)
	if _, err := s.Epoch(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, p
}

// timedCheck runs CheckIssued for (iss, id), issued now, and returns how
// long it took and its error.
func timedCheck(s *Store, id string) (time.Duration, error) {
	start := time.Now()
	err := s.CheckIssued(context.Background(), "iss", id, start, start.Add(time.Minute))
	return time.Since(start), err
}

// acceptedOnceOnRetry retries (iss, id) until it is accepted, within
// limit, failing on a replay verdict before that; then one more retry must
// be a replay.
func acceptedOnceOnRetry(t *testing.T, s *Store, id string, limit time.Duration) {
	t.Helper()
	for end := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		_, err := timedCheck(s, id)
		if err == nil {
			break
		}
		if errors.Is(err, replay.ErrReplayed) || time.Now().After(end) {
			t.Fatalf("retry of %s: %v, want accepted within %v", id, err, limit)
		}
	}
	if _, err := timedCheck(s, id); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("second retry of %s: %v, want ErrReplayed", id, err)
	}
}

// TestFaultPauseAnswersUnavailableInTimeAndRetryAcceptedOnce reproduces
// the paused Redis (SIGSTOP): checks of fresh messages sent during a pause
// three times the deadline answer ErrUnavailable (503) within the deadline,
// never ErrReplayed; on resume Redis runs the held commands late, and they
// write nothing; the sender's retry with the same jti is accepted, once.
func TestFaultPauseAnswersUnavailableInTimeAndRetryAcceptedOnce(t *testing.T) {
	s, p := proxiedStore(t, nil)
	const n = 16
	p.Pause()
	var wg sync.WaitGroup
	errs := make([]error, n)
	took := make([]time.Duration, n)
	for i := range n {
		wg.Go(func() { took[i], errs[i] = timedCheck(s, fmt.Sprint("paused-", i)) })
	}
	wg.Wait()
	time.Sleep(2 * faultTimeout) // the pause lasts three deadlines in all
	p.Resume()
	for i := range n {
		if !errors.Is(errs[i], replay.ErrUnavailable) || errors.Is(errs[i], replay.ErrReplayed) {
			t.Errorf("check %d during the pause: %v, want ErrUnavailable", i, errs[i])
		}
		if took[i] > faultTimeout+schedulingSlack {
			t.Errorf("check %d during the pause answered after %v, deadline %v", i, took[i], faultTimeout)
		}
	}
	for i := range n {
		acceptedOnceOnRetry(t, s, fmt.Sprint("paused-", i), 2*time.Second)
	}
}

// TestFaultReplyLostAfterCommit: the check ran in Redis but its reply was
// lost (and the client library, told not to retry, sent it once more on
// a broken connection, whose reply was lost too): the receiver gives its
// pair back before it answers 503, and the sender's immediate retry with
// the same jti is accepted, once; never 409.
func TestFaultReplyLostAfterCommit(t *testing.T) {
	s, p := proxiedStore(t, func(o *redis.Options) { o.MaxRetries = -1 })
	p.DropReplies(2)
	if _, err := timedCheck(s, "lost-reply"); !errors.Is(err, replay.ErrUnavailable) {
		t.Fatalf("check whose reply was lost: %v, want ErrUnavailable", err)
	}
	acceptedOnceOnRetry(t, s, "lost-reply", 0)
}

// TestFaultClientLibraryRetryOfSameCommand: the reply is lost and
// go-redis sends the same pipeline again, which Redis runs a second time.
// The check finds its own value and is accepted, not taken for a replay of
// itself; another check of the pair is a replay.
func TestFaultClientLibraryRetryOfSameCommand(t *testing.T) {
	s, p := proxiedStore(t, nil)
	p.DropReplies(1)
	if _, err := timedCheck(s, "retried"); err != nil {
		t.Fatalf("check re-sent by the client library: %v, want accepted", err)
	}
	if _, err := timedCheck(s, "retried"); !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("another check of the pair: %v, want ErrReplayed", err)
	}
}

// TestFaultBlackHoleAnswersUnavailableInTime: a store that swallows every
// byte answers 503 within the deadline.
func TestFaultBlackHoleAnswersUnavailableInTime(t *testing.T) {
	s, p := proxiedStore(t, nil)
	p.BlackHole()
	took, err := timedCheck(s, "black-hole")
	if !errors.Is(err, replay.ErrUnavailable) || took > faultTimeout+schedulingSlack {
		t.Fatalf("black-holed check: %v after %v, want ErrUnavailable within %v", err, took, faultTimeout)
	}
}

// TestFaultStoreLosesDataReplayNotAccepted reproduces the restart without
// persistence (500 of 500 replays accepted before): a message accepted
// before the store lost its data and replayed after it is refused, as
// issued before the store's data began; with AOF and appendfsync always
// the restart keeps the pair and the replay is a plain replay.
func TestFaultStoreLosesDataReplayNotAccepted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		fault func(*testredis.Server, testing.TB)
		want  error
	}{
		{"restart-without-persistence", nil, (*testredis.Server).Restart, replay.ErrReset},
		{"flush", nil, (*testredis.Server).Flush, replay.ErrReset},
		{"restart-with-aof-always", []string{"--appendonly", "yes", "--appendfsync", "always"}, (*testredis.Server).Restart, replay.ErrReplayed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := testredis.StartServer(t, tc.args...)
			c := redis.NewClient(ClientOptions(&redis.Options{Addr: srv.Addr()}))
			t.Cleanup(func() { _ = c.Close() })
			s := mustNew(t, c, WithResetMargin(time.Second))
			if err := c.Set(ctx, s.prefix+epochSuffix, "since-1970:0", 0).Err(); err != nil {
				t.Fatal(err)
			}
			issued, exp := time.Now(), time.Now().Add(time.Minute)
			if err := s.CheckIssued(ctx, "iss", "captured", issued, exp); err != nil {
				t.Fatalf("before the fault: %v", err)
			}
			tc.fault(srv, t)
			var err error
			for range 3 { // the first call after a restart may meet a broken pooled connection
				if err = s.CheckIssued(ctx, "iss", "captured", issued, exp); !errors.Is(err, replay.ErrUnavailable) {
					break
				}
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("replay after the fault: %v, want %v", err, tc.want)
			}
		})
	}
}
