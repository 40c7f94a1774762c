package redisstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// TestFaultStoppedServerGraceZeroRevokesNoHonestClient is the finding end
// to end: Managers without a grace window on a Redis store with go-redis's
// default client (retries on), 32 honest clients refreshing one after the
// other, each presenting the same token again after a 503, and the server
// stopped (SIGSTOP) for 4 s, longer than go-redis's read timeout, so that
// it re-sends the rotations it was waiting on. Before, the re-sent
// rotation read as a reuse and revoked honest families; now every client
// gets 503 within the store timeout while the server is away, and none is
// refused after.

// storeTimeout is the deadline of each store call in the fault test.
const storeTimeout = time.Second

func TestFaultStoppedServerGraceZeroRevokesNoHonestClient(t *testing.T) {
	if testing.Short() {
		t.Skip("stops a redis-server for 4 s")
	}
	srv := testredis.StartServer(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	m, err := session.NewManager("https://api.example", keys, session.WithStore(s), session.WithGrace(0), session.WithStoreTimeout(storeTimeout))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		refused, unavailable, refreshed atomic.Int64
		slowest                         atomic.Int64
		wg                              sync.WaitGroup
	)
	stop := make(chan struct{})
	for i := range 32 {
		tokens, err := m.Login(ctx, session.Grant{Subject: "honest-" + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			refresh := tokens.Refresh
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				next, err := m.Refresh(ctx, refresh)
				took := time.Since(start)
				switch {
				case err == nil:
					refresh = next.Refresh
					refreshed.Add(1)
				case errors.Is(err, session.ErrStoreUnavailable):
					unavailable.Add(1)
					if took.Nanoseconds() > slowest.Load() {
						slowest.Store(took.Nanoseconds())
					}
					time.Sleep(time.Second) // Retry-After
				default:
					refused.Add(1)
					t.Errorf("an honest client: %v after %v", err, took)
					return
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	resume := stopServer(t, srv)
	time.Sleep(4 * time.Second)
	resume()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	t.Logf("%d refreshes, %d answered 503 (slowest after %v), %d honest clients refused",
		refreshed.Load(), unavailable.Load(), time.Duration(slowest.Load()), refused.Load())
	if unavailable.Load() == 0 {
		t.Error("no 503 while the server was stopped")
	}
	if d := time.Duration(slowest.Load()); d > storeTimeout*5/4+250*time.Millisecond {
		t.Errorf("a 503 after %v, want within the store timeout %v and a quarter", d, storeTimeout)
	}
}
