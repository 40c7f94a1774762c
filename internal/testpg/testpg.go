// Package testpg gives tests a connection pool to a real PostgreSQL server.
//
// The URL comes from SEALJWT_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Without a
// server the test skips with a clear message, except under CI=true, where
// a missing server is a failure.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sealjwt/sealjwt/internal/testserver"
)

// URL is the server the tests use.
func URL() string {
	if u := os.Getenv("SEALJWT_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Pool returns a pool on the test server, closed when the test ends.
// configure, when not nil, adjusts the pool's configuration first.
func Pool(t testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	pool, err := poolAt(t, URL(), configure)
	if err != nil {
		testserver.Missing(t, "PostgreSQL", URL(), "SEALJWT_POSTGRES_URL", err)
	}
	return pool
}

// poolAt returns a pool on the server at url that answered a ping, closed
// when the test ends.
func poolAt(t testing.TB, url string, configure func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("PostgreSQL URL %q: %v", url, err)
	}
	if configure != nil {
		configure(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, err
	}
	t.Cleanup(pool.Close)
	return pool, nil
}

// Schema returns the name of a fresh schema, so that runs never see each
// other's tables, and drops it with everything in it when the test ends.
func Schema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "sealjwt_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	})
	return name
}
