package testredis

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a redis-server of the test's own that the test may kill,
// restart and flush: for fault tests, which must never stop the shared
// server at Addr.
type Server struct {
	path, dir, port string
	args            []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// StartServer starts a private redis-server on a free port in a temporary
// directory, with extraArgs after the defaults (no RDB snapshots, no AOF:
// pass "--appendonly", "yes", "--appendfsync", "always" for a durable one).
// It is stopped when the test ends. Without redis-server the test skips,
// except under CI=true, where it fails.
func StartServer(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	s := &Server{path: lookPath(t, "redis-server"), dir: t.TempDir(), port: freePort(t), args: extraArgs}
	s.start(t)
	t.Cleanup(s.kill)
	return s
}

// Addr is the server's address.
func (s *Server) Addr() string { return "127.0.0.1:" + s.port }

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
	s.kill()
	s.start(t)
}

// Kill stops the server at once (SIGKILL), leaving the port closed until
// Restart.
func (s *Server) Kill() { s.kill() }

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

func (s *Server) start(t testing.TB) {
	t.Helper()
	args := append([]string{"--port", s.port, "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no"}, s.args...)
	cmd := exec.Command(s.path, args...)
	stopWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitFor(t, ctx, s.Addr(), func(c *redis.Client) error { return c.Ping(ctx).Err() })
}

func (s *Server) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// freePort returns a port that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
