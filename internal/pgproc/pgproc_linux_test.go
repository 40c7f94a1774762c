package pgproc

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sealjwt/sealjwt/internal/testserver"
)

// TestPrivateServer runs its cases on one server, in order: each leaves
// it running for the next, and the last closes it.
func TestPrivateServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if errors.Is(err, ErrNotFound) {
		testserver.Missing(t, "PostgreSQL server", "/usr/lib/postgresql/*/bin or PATH", BinEnv, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	t.Run("StopPausesEveryBackend", func(t *testing.T) {
		// A backend already serving a connection must stop too: stopping
		// only the postmaster would leave it answering.
		conn := connect(t, s)
		resume, err := s.Stop()
		t.Cleanup(resume)
		if err != nil {
			t.Fatal(err)
		}
		qctx, qcancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer qcancel()
		if err := conn.QueryRow(qctx, "SELECT 1").Scan(new(int)); err == nil {
			t.Fatal("a connection's backend answered while the server was stopped")
		}
		resume()
		if err := connect(t, s).QueryRow(ctx, "SELECT 1").Scan(new(int)); err != nil {
			t.Fatalf("after resume: %v", err)
		}
	})

	t.Run("KillAndRestartKeepsCommits", func(t *testing.T) {
		conn := connect(t, s)
		for _, sql := range []string{"CREATE TABLE kept (n int)", "INSERT INTO kept VALUES (42)"} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		before := serverPids(t, s)
		if err := s.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		assertGone(t, before)
		var n int
		if err := connect(t, s).QueryRow(ctx, "SELECT n FROM kept").Scan(&n); err != nil || n != 42 {
			t.Fatalf("a committed row after kill -9 and restart: %d, %v; want 42", n, err)
		}
	})

	t.Run("CloseLeavesNoProcessNorFile", func(t *testing.T) {
		pids := serverPids(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		assertGone(t, pids)
		if _, err := os.Stat(s.dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the server's directory after Close: %v, want it gone", err)
		}
		if c, err := pgconn.Connect(ctx, s.URL()+"&connect_timeout=1"); err == nil {
			_ = c.Close(ctx)
			t.Error("the server accepts connections after Close")
		}
	})
}

// connect opens a connection to s, closed when the test ends.
func connect(t *testing.T, s *Server) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// serverPids are the postmaster's pid and its descendants' while a
// connection is open (so that a backend is among them).
func serverPids(t *testing.T, s *Server) []int {
	t.Helper()
	connect(t, s)
	s.mu.Lock()
	pid := s.cmd.Process.Pid
	s.mu.Unlock()
	pids := append([]int{pid}, descendants(pid)...)
	if len(pids) < 3 {
		t.Fatalf("postmaster %d has descendants %v, want its background processes and a backend", pid, pids[1:])
	}
	return pids
}

// assertGone fails the test for each process of pids still alive.
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	for _, p := range pids {
		if state, _, ok := stat(p); ok && state != 'Z' && state != 'X' {
			t.Errorf("process %d of the killed server is still there (state %c)", p, state)
		}
	}
}
