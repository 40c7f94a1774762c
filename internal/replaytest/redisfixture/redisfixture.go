// Package redisfixture makes Redis replay stores for tests in other packages.
package redisfixture

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/replay/redisstore"
)

// Store returns a Redis store on c under prefix whose data begins now
// (its epoch is created before the call returns) and with no reset
// margin, so that a message issued after the call is not refused as
// issued before the store's data began. Tests seal their messages after
// calling it.
func Store(t testing.TB, c redis.UniversalClient, prefix string, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	opts = append([]redisstore.Option{redisstore.WithPrefix(prefix), redisstore.WithResetMargin(0)}, opts...)
	s, err := redisstore.New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Epoch(context.Background()); err != nil {
		t.Fatalf("creating the replay store's epoch: %v", err)
	}
	return s
}
