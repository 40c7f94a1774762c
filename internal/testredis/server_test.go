package testredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/testredis"
)

func TestFaultRestartWithoutPersistenceForgets(t *testing.T) {
	s := testredis.StartServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Client(t).Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Restart(t)
	if n, err := s.Client(t).Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("after a restart without persistence: exists=%d err=%v, want 0, nil", n, err)
	}
}

func TestFaultRestartWithAppendOnlyKeeps(t *testing.T) {
	s := testredis.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Client(t).Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Restart(t)
	if n, err := s.Client(t).Exists(ctx, "k").Result(); err != nil || n != 1 {
		t.Fatalf("after a restart with appendfsync always: exists=%d err=%v, want 1, nil", n, err)
	}
	s.Flush(t)
	if n, _ := s.Client(t).Exists(ctx, "k").Result(); n != 0 {
		t.Fatal("Flush left the key")
	}
}
