package testpg

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sealjwt/sealjwt/internal/pgproc"
	"github.com/sealjwt/sealjwt/internal/testserver"
)

// Server is a PostgreSQL server of the test's own that the test may stop,
// kill and restart: for fault tests, which must never stop the shared
// server at URL.
type Server struct {
	*pgproc.Server
}

// StartServer starts a private PostgreSQL server (initdb in a temporary
// directory, a free port, durable commits), which is killed and deleted
// when the test ends. It takes a few seconds. Without PostgreSQL's server
// programs the test skips, except under CI=true, where it fails.
func StartServer(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := pgproc.Start(ctx)
	switch {
	case errors.Is(err, pgproc.ErrNotFound), errors.Is(err, errors.ErrUnsupported):
		testserver.Missing(t, "PostgreSQL server", "/usr/lib/postgresql/*/bin or PATH", pgproc.BinEnv, err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the end of the server's log:\n%s", s.LogTail(40))
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return &Server{s}
}

// Pool returns a pool on the server, closed when the test ends.
// configure, when not nil, adjusts the pool's configuration first.
func (s *Server) Pool(t testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	pool, err := poolAt(t, s.URL(), configure)
	if err != nil {
		t.Fatalf("the test's own PostgreSQL at %s: %v", s.Addr(), err)
	}
	return pool
}

// Restart kills the server (SIGKILL to every process: a crash) and starts
// it again with its data, waiting until it accepts connections.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Server.Restart(ctx); err != nil {
		t.Fatal(err)
	}
}

// Stop pauses every process of the server (SIGSTOP) and returns what
// resumes them, which also runs when the test ends.
func (s *Server) Stop(t testing.TB) (resume func()) {
	t.Helper()
	resume, err := s.Server.Stop()
	if resume != nil {
		t.Cleanup(resume)
	}
	if err != nil {
		t.Fatal(err)
	}
	return resume
}
