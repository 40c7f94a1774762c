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
	addr := Addr()
	c := redis.NewClient(&redis.Options{Addr: addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server at %s (SEALJWT_REDIS_ADDR) is required under CI=true: %v", addr, err)
		}
		t.Skipf("SKIPPED: no redis-server answers at %s (set SEALJWT_REDIS_ADDR): %v", addr, err)
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
