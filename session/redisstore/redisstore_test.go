package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/roundtrip"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/storetest"
	"github.com/sealjwt/sealjwt/token"
)

func newStore(t testing.TB, c redis.UniversalClient, prefix string) *Store {
	t.Helper()
	s, err := New(c, WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func freshStore(t testing.TB) *Store {
	c := testredis.Client(t)
	return newStore(t, c, testredis.Prefix(t, c))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return freshStore(t) }, storetest.Options{
		Reopen: func(t *testing.T, s session.Store) session.Store {
			// A second connection pool, as another server would have.
			return newStore(t, testredis.Client(t), s.(*Store).prefix)
		},
		Unreachable: unreachableStore,
		Held:        heldTokens,
	})
}

// heldTokens counts the token index keys under the store's prefix.
func heldTokens(t *testing.T, st session.Store) int {
	s := st.(*Store)
	keys, err := s.client.Keys(context.Background(), s.prefix+"t{*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

// unreachableStore is a store on a port where no server listens.
func unreachableStore(t *testing.T) session.Store {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return newStore(t, c, DefaultPrefix)
}

func TestHTTP(t *testing.T) {
	storetest.HTTP(t, freshStore(t), unreachableStore(t))
}

func TestNewRefusesBraceInPrefix(t *testing.T) {
	for _, p := range []string{"a{", "}b", "{x}:"} {
		if _, err := New(redis.NewClient(&redis.Options{}), WithPrefix(p)); err == nil {
			t.Errorf("New accepted prefix %q", p)
		}
	}
}

// TestKeysShareOneSlotPerFamily checks the Cluster layout: every key a
// rotation's script touches hashes by the family id alone, and the token
// index by the token id alone.
func TestKeysShareOneSlotPerFamily(t *testing.T) {
	s, _ := New(redis.NewClient(&redis.Options{}), WithPrefix("app:"))
	for key, tag := range map[string]string{
		s.familyKey("fam1"): "fam1",
		s.tokenKey("tok1"):  "tok1",
	} {
		if got := hashTag(key); got != tag {
			t.Errorf("key %q hashes by %q, want %q", key, got, tag)
		}
	}
}

// hashTag is the part of key Redis Cluster hashes: the content of its
// first non-empty {...}, else the whole key.
func hashTag(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					return key[i+1 : j]
				}
				return key
			}
		}
		return key
	}
	return key
}

// TestRotationRoundTrips counts what a rotation costs on the wire.
func TestRotationRoundTrips(t *testing.T) {
	var counter roundtrip.Counter
	c := testredis.ClientWith(t, &redis.Options{Dialer: counter.Dial})
	s := newStore(t, c, testredis.Prefix(t, c))
	storetest.RoundTrips(t, s, &counter, 1)
}

// TestScriptsReloadAfterFlush: a server that lost its scripts (a restart,
// SCRIPT FLUSH) still rotates. The server is the test's own, so that the
// flush cannot add round trips to other tests' counts.
func TestScriptsReloadAfterFlush(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: testredis.Private(t)})
	t.Cleanup(func() { _ = c.Close() })
	s := newStore(t, c, DefaultPrefix)
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	if err := s.client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	_, tok := storetest.Login(t, s, "alice", now)
	for i := range 2 {
		if err := s.client.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		next, _, err := storetest.Rotate(ctx, s, tok, now, 0)
		if err != nil {
			t.Fatalf("rotation %d after SCRIPT FLUSH: %v", i, err)
		}
		tok = next
	}
}

// TestKeysExpireWithFamily: every key the store writes carries the
// family's expiry.
func TestKeysExpireWithFamily(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	fam, tok := storetest.Login(t, s, "alice", now)
	if _, _, err := storetest.Rotate(ctx, s, tok, now, 0); err != nil {
		t.Fatal(err)
	}
	keys, err := s.client.Keys(ctx, s.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == s.epochKey() }) // one per prefix, kept
	if len(keys) != 4 {
		t.Fatalf("keys %v, want the family, its subject and two tokens besides the epoch", keys)
	}
	for _, k := range keys {
		at, err := s.client.PExpireTime(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := time.UnixMilli(int64(at / time.Millisecond)); !got.Equal(fam.ExpiresAt) {
			t.Errorf("key %s expires at %v, want the family's expiry %v", k, got, fam.ExpiresAt)
		}
	}
}

func BenchmarkRefresh(b *testing.B) {
	b.Run("store=redis", func(b *testing.B) { storetest.Bench(b, freshStore(b)) })
}

// BenchmarkRoundTrip is the floor under BenchmarkRefresh: one PING.
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("server=redis", func(b *testing.B) {
		c := testredis.Client(b)
		ctx := context.Background()
		for b.Loop() {
			if err := c.Ping(ctx).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestConformanceOnCluster runs the suite on a three-master Redis Cluster:
// every script touches one hash slot, and a token id finds its family from
// any node.
func TestConformanceOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	addrs := testredis.Cluster(t)
	client := func(t *testing.T) redis.UniversalClient {
		c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs, IsClusterMode: true})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	n := 0
	storetest.Run(t, func(t *testing.T) session.Store {
		n++
		return newStore(t, client(t), fmt.Sprintf("test%d:", n))
	}, storetest.Options{
		Reopen: func(t *testing.T, s session.Store) session.Store {
			return newStore(t, client(t), s.(*Store).prefix)
		},
	})
}

// faulty is a store on a private, durable redis-server (AOF, fsync on
// every write) reached through a fault proxy, with go-redis's default
// client settings, retries included.
func faulty(t *testing.T) storetest.Faulty {
	srv := testredis.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	proxy := faultproxy.New(t, srv.Addr())
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return storetest.Faulty{Store: newStore(t, c, DefaultPrefix), Proxy: proxy,
		Restart: func(t *testing.T) { srv.Restart(t) },
		Stop:    func(t *testing.T) func() { return stopServer(t, srv) }}
}

// stopServer stops the test's own redis-server with SIGSTOP and returns
// what sends SIGCONT.
func stopServer(t *testing.T, srv *testredis.Server) func() {
	srv.Signal(syscall.SIGSTOP)
	resume := func() { srv.Signal(syscall.SIGCONT) }
	t.Cleanup(resume)
	return resume
}

func TestFaultCases(t *testing.T) {
	storetest.Faults(t, faulty)
}

// TestImmediateRevocation: a revocation through one server's store stops
// the access token on a server with another connection, through the
// Pub/Sub feed, within storetest.RevocationBound.
func TestImmediateRevocation(t *testing.T) {
	a := freshStore(t)
	b := newStore(t, testredis.Client(t), a.prefix)
	storetest.ImmediateRevocation(t, a, b)
}

// TestFaultRevocationFeedPausedFailsClosed: when the server stops
// answering, a Manager with WithImmediateRevocation refuses access tokens
// (ErrStoreUnavailable, 503) within a second or two, since it could miss
// a revocation; when the server is back, it catches up and admits again.
func TestFaultRevocationFeedPausedFailsClosed(t *testing.T) {
	srv := testredis.StartServer(t)
	proxy := faultproxy.New(t, srv.Addr())
	c := redis.NewClient(&redis.Options{Addr: proxy.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	m := revocationManager(t, newStore(t, c, DefaultPrefix))
	ctx := context.Background()
	tokens, err := m.Login(ctx, session.Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	proxy.Pause()
	start := time.Now()
	waitAuthenticate(t, m, tokens.Access, session.ErrStoreUnavailable, 3*time.Second)
	t.Logf("refused %v after the pause", time.Since(start))
	proxy.Resume()
	waitAuthenticate(t, m, tokens.Access, nil, 5*time.Second)
}

func revocationManager(t *testing.T, s session.Store) *session.Manager {
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	m, err := session.NewManager("https://api.example", keys, session.WithStore(s), session.WithImmediateRevocation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// waitAuthenticate polls until Authenticate's error is want (nil: admitted).
func waitAuthenticate(t *testing.T, m *session.Manager, access string, want error, limit time.Duration) {
	t.Helper()
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		_, err := m.Authenticate(context.Background(), access)
		if want == nil && err == nil || want != nil && errors.Is(err, want) {
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("Authenticate: %v after %v, want %v", err, limit, want)
		}
	}
}

// TestFaultRestartWithoutPersistenceReported: a server that comes back
// empty (a restart without persistence, a flush) is reported as such,
// session.ErrStoreReset, to every holder of a token issued before, on
// every store instance, rather than as so many invalid tokens; new logins
// work at once.
func TestFaultRestartWithoutPersistenceReported(t *testing.T) {
	for _, tc := range []struct {
		name string
		lose func(t *testing.T, srv *testredis.Server)
	}{
		{"Restart", func(t *testing.T, srv *testredis.Server) { srv.Restart(t) }},
		{"Flush", func(t *testing.T, srv *testredis.Server) { srv.Flush(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testredis.StartServer(t)
			s := newStore(t, srv.Client(t), DefaultPrefix)
			ctx := context.Background()
			now := time.Now().Truncate(time.Millisecond)
			_, tok := storetest.Login(t, s, "alice", now)
			tok, _, err := storetest.Rotate(ctx, s, tok, now, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := storetest.Rotate(ctx, s, storetest.NewToken(), now, 0); !errors.Is(err, session.ErrInvalidRefresh) || errors.Is(err, session.ErrStoreReset) {
				t.Fatalf("an unknown token before the loss: %v, want ErrInvalidRefresh alone", err)
			}
			tc.lose(t, srv)
			for i, st := range []*Store{s, newStore(t, srv.Client(t), DefaultPrefix)} {
				_, _, err := storetest.Rotate(ctx, st, tok, now.Add(time.Second), 0)
				if !errors.Is(err, session.ErrStoreReset) || !errors.Is(err, session.ErrInvalidRefresh) {
					t.Fatalf("instance %d, a token issued before the loss: %v, want ErrStoreReset (and ErrInvalidRefresh)", i+1, err)
				}
			}
			fam, tok := storetest.Login(t, s, "alice", now)
			if _, rot, err := storetest.Rotate(ctx, s, tok, now.Add(time.Second), 0); err != nil || rot.Family.ID != fam.ID {
				t.Fatalf("a login after the loss: %v", err)
			}
		})
	}
}
