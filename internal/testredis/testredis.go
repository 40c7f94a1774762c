// Package testredis gives tests a connection to a real redis-server.
//
// The address comes from SEALJWT_REDIS_ADDR (default 127.0.0.1:6379).
// Without a server the test skips with a clear message, except under
// CI=true, where a missing server is a failure.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/testserver"
)

// Addr is the redis-server the tests use.
func Addr() string {
	if a := os.Getenv("SEALJWT_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Client returns a client for the test server, closed when the test ends.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	return ClientWith(t, &redis.Options{})
}

// ClientWith returns a client with opts for the test server (opts.Addr is
// set to Addr), closed when the test ends.
func ClientWith(t testing.TB, opts *redis.Options) *redis.Client {
	t.Helper()
	addr := Addr()
	opts.Addr = addr
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		testserver.Missing(t, "redis-server", addr, "SEALJWT_REDIS_ADDR", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Prefix returns a fresh key prefix so that runs never see each other's
// keys, and deletes the keys under it when the test ends.
func Prefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	p := "sealjwt-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, p+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return p
}
