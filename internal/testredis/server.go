package testredis

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/redisproc"
)

// Server is a redis-server of the test's own that the test may kill,
// restart and flush: for fault tests, which must never stop the shared
// server at Addr.
type Server struct {
	*redisproc.Server
}

// StartServer starts a private redis-server on a free port in a temporary
// directory, with extraArgs after the defaults (no RDB snapshots, no AOF:
// pass "--appendonly", "yes", "--appendfsync", "always" for a durable one).
// It is stopped when the test ends. Without redis-server the test skips,
// except under CI=true, where it fails.
func StartServer(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	lookPath(t, "redis-server")
	s, err := redisproc.Start(t.TempDir(), extraArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	return &Server{s}
}

// Client returns a client for the server with go-redis defaults, closed
// when the test ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Restart kills the server at once (SIGKILL: no shutdown save) and starts
// it again on the same port, with the same arguments and directory. Without
// persistence it comes back empty; with AOF it replays its log.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.Server.Restart(); err != nil {
		t.Fatal(err)
	}
}

// Flush deletes every key on the server (FLUSHALL), as a server that lost
// its data would look.
func (s *Server) Flush(t testing.TB) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL on %s: %v", s.Addr(), err)
	}
}
