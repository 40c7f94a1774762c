package pgstore

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/roundtrip"
	"github.com/sealjwt/sealjwt/internal/testpg"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/storetest"
)

// migrated returns a store on pool in schema, migrated.
func migrated(t testing.TB, pool *pgxpool.Pool, schema string) *Store {
	t.Helper()
	s := New(pool, WithSchema(schema))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// freshStore returns a migrated store in a schema of its own. Its
// commits do not wait for the write-ahead log to reach the disk: the
// tests need no durability, and on a machine busy writing, each wait can
// take many milliseconds.
func freshStore(t testing.TB) *Store {
	return storeOn(t, testpg.Pool(t, noSync))
}

func noSync(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["synchronous_commit"] = "off" }

// durableStore is freshStore with PostgreSQL's default, durable commits,
// for the benchmarks.
func durableStore(b *testing.B) *Store {
	return storeOn(b, testpg.Pool(b, nil))
}

func storeOn(t testing.TB, pool *pgxpool.Pool) *Store {
	return migrated(t, pool, testpg.Schema(t, pool))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return freshStore(t) }, storetest.Options{
		Reopen: func(t *testing.T, s session.Store) session.Store {
			// A second pool, as another server would have; its Migrate
			// finds the schema in place.
			st := s.(*Store)
			return migrated(t, testpg.Pool(t, noSync), st.schema[1:len(st.schema)-1])
		},
		Unreachable: unreachableStore,
		Held:        heldTokens,
	})
}

// heldTokens counts the rows of the store's token table.
func heldTokens(t *testing.T, st session.Store) int {
	s := st.(*Store)
	var n int
	if err := s.pool.QueryRow(context.Background(), inSchema("SELECT count(*) FROM {schema}.refresh_tokens", s.schema)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// unreachableStore is a store on a port where no server listens.
func unreachableStore(t *testing.T) session.Store {
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return New(pool)
}

func TestHTTP(t *testing.T) {
	storetest.HTTP(t, freshStore(t), unreachableStore(t))
}

// TestRotationRoundTrips counts what a rotation costs on the wire.
func TestRotationRoundTrips(t *testing.T) {
	var counter roundtrip.Counter
	pool := testpg.Pool(t, func(c *pgxpool.Config) {
		c.ConnConfig.DialFunc = counter.Dial
		c.MaxConns = 1 // one connection, which the warm-up prepares
		// No liveness ping, which pgxpool sends on a connection idle for
		// over a second: a slow machine would count it.
		c.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	})
	s := migrated(t, pool, testpg.Schema(t, pool))
	storetest.RoundTrips(t, s, &counter, 0)
}

// TestMigrateConcurrently: servers starting together all migrate.
func TestMigrateConcurrently(t *testing.T) {
	pool := testpg.Pool(t, nil)
	schema := testpg.Schema(t, pool)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() { errs <- New(pool, WithSchema(schema)).Migrate(context.Background()) }()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestUnmigratedStoreFailsClosed: a store whose schema is missing refuses
// every call as unavailable.
func TestUnmigratedStoreFailsClosed(t *testing.T) {
	pool := testpg.Pool(t, nil)
	s := New(pool, WithSchema(testpg.Schema(t, pool)))
	_, _, err := storetest.Rotate(context.Background(), s, storetest.NewToken(), time.Now(), 0)
	if !errors.Is(err, session.ErrStoreUnavailable) {
		t.Fatalf("Rotate before Migrate: %v, want ErrStoreUnavailable", err)
	}
}

// TestCreateDeletesExpiredFamilies: expired families and their tokens go
// when a later login comes.
func TestCreateDeletesExpiredFamilies(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	old, oldTok := storetest.Login(t, s, "alice", now)
	if _, _, err := storetest.Rotate(ctx, s, oldTok, now.Add(time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	kept, _ := storetest.Login(t, s, "bob", now.Add(time.Minute))
	storetest.Login(t, s, "carol", old.ExpiresAt) // deletes alice's family, now expired
	var families, tokens int
	if err := s.pool.QueryRow(ctx, inSchema("SELECT count(*) FILTER (WHERE id = $1), (SELECT count(*) FROM {schema}.refresh_tokens WHERE family_id = $1) FROM {schema}.families", s.schema), old.ID).Scan(&families, &tokens); err != nil {
		t.Fatal(err)
	}
	if families != 0 || tokens != 0 {
		t.Errorf("expired family: %d rows and %d tokens left, want none", families, tokens)
	}
	if _, err := s.Lookup(ctx, oldTok.ID, oldTok.Hash); !errors.Is(err, session.ErrInvalidRefresh) {
		t.Errorf("Lookup in a deleted family: %v, want ErrInvalidRefresh", err)
	}
	_ = kept
}

func BenchmarkRefresh(b *testing.B) {
	b.Run("store=postgres", func(b *testing.B) { storetest.Bench(b, durableStore(b)) })
}

// BenchmarkRoundTrip is the floor under BenchmarkRefresh: one prepared
// SELECT 1 through the pool, and one committed single-row UPDATE, which
// waits for the write-ahead log to reach the disk as a rotation does.
func BenchmarkRoundTrip(b *testing.B) {
	ctx := context.Background()
	b.Run("server=postgres", func(b *testing.B) {
		pool := testpg.Pool(b, nil)
		var one int
		for b.Loop() {
			if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("server=postgres,write", func(b *testing.B) {
		pool := testpg.Pool(b, nil)
		table := pgx.Identifier{testpg.Schema(b, pool), "counter"}.Sanitize()
		for _, sql := range []string{
			"CREATE SCHEMA " + strings.TrimSuffix(table, `."counter"`),
			"CREATE TABLE " + table + " (id int PRIMARY KEY, n bigint)",
			"INSERT INTO " + table + " VALUES (1, 0)",
		} {
			if _, err := pool.Exec(ctx, sql); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			if _, err := pool.Exec(ctx, "UPDATE "+table+" SET n = n + 1 WHERE id = 1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// faultyOn makes stores in schemas of their own on srv, the test's own
// server, reached through a fault proxy, with durable commits: Stop stops
// every process of srv (SIGSTOP), Restart kills them all (kill -9) and
// starts srv again with its data. The shared server is never stopped.
func faultyOn(srv *testpg.Server) func(t *testing.T) storetest.Faulty {
	return func(t *testing.T) storetest.Faulty {
		schema := testpg.Schema(t, srv.Pool(t, nil))
		proxy := faultproxy.New(t, srv.Addr())
		host, port, _ := net.SplitHostPort(proxy.Addr())
		pool := srv.Pool(t, func(c *pgxpool.Config) {
			c.ConnConfig.Host = host
			p, _ := strconv.Atoi(port)
			c.ConnConfig.Port = uint16(p)
			c.ConnConfig.ConnectTimeout = time.Second
			c.MaxConns = 64 // one per client and one per take-back, as the package example's pool is sized for the load
		})
		return storetest.Faulty{Store: migrated(t, pool, schema), Proxy: proxy,
			Restart: func(t *testing.T) {
				// Run in a goroutine of the case's own: t.Error, not t.Fatal.
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if err := srv.Server.Restart(ctx); err != nil {
					t.Error(err)
				}
			},
			Stop: func(t *testing.T) func() { return srv.Stop(t) }}
	}
}

// TestFaultCases runs the conformance fault cases on one private server
// for them all, each case in a schema of its own.
func TestFaultCases(t *testing.T) {
	storetest.Faults(t, faultyOn(testpg.StartServer(t)))
}

// TestImmediateRevocation: a revocation through one server's store stops
// the access token on a server with another pool, through LISTEN/NOTIFY,
// within storetest.RevocationBound.
func TestImmediateRevocation(t *testing.T) {
	a := freshStore(t)
	b := migrated(t, testpg.Pool(t, noSync), a.schema[1:len(a.schema)-1])
	storetest.ImmediateRevocation(t, a, b)
}

// TestAbandonWaitingForAGraceRetryTakesNothingBack: a take-back that
// waits for the family's lock while a grace retry holds it, and the retry
// hands the successor to the client (marking the token shared), must then
// leave the successor live. Reading the token before the lock is taken
// would see it unshared, and delete the successor the client now holds.
func TestAbandonWaitingForAGraceRetryTakesNothingBack(t *testing.T) {
	s := freshStore(t)
	ctx := context.Background()
	fam, tok := storetest.Login(t, s, "alice", time.Now().Truncate(time.Millisecond))
	r := storetest.NewRotation(tok, time.Now(), 0)
	if _, err := s.Rotate(ctx, r); err != nil {
		t.Fatal(err)
	}
	// The grace retry's transaction: it holds the family's lock while the
	// take-back starts.
	retry, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer retry.Rollback(ctx)
	if _, err := retry.Exec(ctx, inSchema("SELECT 1 FROM {schema}.families WHERE id = $1 FOR UPDATE", s.schema), fam.ID); err != nil {
		t.Fatal(err)
	}
	abandoned := make(chan error, 1)
	go func() { abandoned <- s.Abandon(ctx, r) }()
	waitForLockWait(t, s)
	for _, sql := range []string{
		"UPDATE {schema}.refresh_tokens SET shared = true WHERE id = $1",
		"UPDATE {schema}.families SET last_use = last_use WHERE id = (SELECT family_id FROM {schema}.refresh_tokens WHERE id = $1)",
	} {
		if _, err := retry.Exec(ctx, inSchema(sql, s.schema), tok.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := retry.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-abandoned; err != nil {
		t.Fatal(err)
	}
	next := storetest.Token{ID: r.Next.ID, Hash: r.Next.Hash}
	if _, err := s.Lookup(ctx, next.ID, next.Hash); err != nil {
		t.Fatalf("the successor the grace retry handed out, after the take-back: %v, want it live", err)
	}
}

// waitForLockWait waits until a statement on the store's schema waits
// for a lock.
func waitForLockWait(t *testing.T, s *Store) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND strpos(query, $1) > 0", s.schema).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatal("the take-back never waited for the family's lock")
		}
	}
}
