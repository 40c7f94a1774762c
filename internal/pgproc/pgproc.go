// Package pgproc runs a private PostgreSQL server on a free loopback port
// in a directory of its own, for the fault tests and the fault-measuring
// commands, which stop, kill and restart it: never the shared server.
//
// Its settings are PostgreSQL's defaults where durability is concerned
// (fsync and synchronous_commit on), so that a kill -9 and restart keeps
// every commit that was acknowledged. PostgreSQL refuses to run as root:
// under root its programs run as the user postgres.
package pgproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// BinEnv names the directory of initdb and postgres when they are in
// neither /usr/lib/postgresql/<version>/bin nor PATH.
const BinEnv = "SEALJWT_POSTGRES_BIN"

// ErrNotFound is returned by Start when initdb or postgres is missing.
var ErrNotFound = errors.New("pgproc: PostgreSQL server programs (initdb, postgres) not found")

// Server is one PostgreSQL server, restartable on the same port and data
// directory.
type Server struct {
	bin, dir, port string
	owner          *owner // nil: run as ourselves

	life sync.Mutex // held by Stop, Kill, Restart and Close, one at a time

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start creates a cluster in a new temporary directory (initdb, trust
// authentication for the superuser postgres) and starts its server on a
// free port of 127.0.0.1, with its socket in that directory, waiting until
// it accepts connections. The caller closes it.
func Start(ctx context.Context) (*Server, error) {
	if err := supported(); err != nil {
		return nil, err
	}
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	own, err := postgresOwner()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgproc-")
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, port: port, owner: own}
	if own != nil {
		if err := os.Chown(dir, own.uid, own.gid); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("pgproc: giving %s to the postgres user: %w", dir, err)
		}
	}
	initdb := s.command(ctx, "initdb", "-D", s.data(), "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("pgproc: initdb: %w\n%s", err, out)
	}
	if err := s.start(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// BinDir returns the directory of initdb and postgres: $SEALJWT_POSTGRES_BIN,
// else the newest /usr/lib/postgresql/<version>/bin (Debian's layout), else
// the directory of initdb on PATH.
func BinDir() (string, error) {
	var dirs []string
	if d := os.Getenv(BinEnv); d != "" {
		dirs = append(dirs, d)
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(versions, func(a, b string) int { return versionOf(b) - versionOf(a) })
	dirs = append(dirs, versions...)
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if executable(filepath.Join(d, "initdb")) && executable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w in $%s, /usr/lib/postgresql/*/bin or PATH", ErrNotFound, BinEnv)
}

// versionOf is the major version in /usr/lib/postgresql/<version>/bin, 0
// when it is not a number.
func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// owner is the user the server's programs run as.
type owner struct{ uid, gid int }

// postgresOwner is the user postgres when we are root, which PostgreSQL
// refuses to run as, and nil otherwise.
func postgresOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgproc: PostgreSQL refuses to run as root and there is no user postgres to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 31)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 31)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgproc: user postgres: %w", err)
	}
	return &owner{uid: int(uid), gid: int(gid)}, nil
}

// Addr is the server's address.
func (s *Server) Addr() string { return "127.0.0.1:" + s.port }

// URL is a connection URL for the superuser on the database postgres.
func (s *Server) URL() string {
	return "postgres://postgres@" + s.Addr() + "/postgres?sslmode=disable"
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// command is one of the server's programs, run as the postgres user when
// we are root, in the server's directory (ours may be closed to that user).
func (s *Server) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = procAttr(s.owner)
	return cmd
}

// start starts postgres on the data directory and waits until it accepts
// connections.
func (s *Server) start(ctx context.Context) error {
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Not CommandContext: ctx bounds the start, not the server's life.
	cmd := s.command(context.Background(), "postgres", "-D", s.data(), "-p", s.port,
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	stopWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgproc: starting postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	for {
		conn, err := pgconn.Connect(ctx, s.URL()+"&connect_timeout=1")
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-done:
			return fmt.Errorf("pgproc: postgres exited: %w\n%s", err, s.LogTail(20))
		case <-ctx.Done():
			return fmt.Errorf("pgproc: postgres at %s did not accept connections: %w\n%s", s.Addr(), err, s.LogTail(20))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// LogTail is the end of the server's log: its last n lines.
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(s.logPath())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// Stop pauses the server, the postmaster and every process it started,
// with SIGSTOP, as a machine that stops scheduling it: connections stay
// open and nothing runs. resume sends SIGCONT; it may be called more than
// once.
func (s *Server) Stop() (resume func(), err error) {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		return nil, errors.New("pgproc: stopping a server that is not running")
	}
	procs, err := stopTree(cmd.Process.Pid)
	return func() { signalAll(procs, resumeSignal) }, err
}

// Kill ends the server as a crash does: SIGKILL to the postmaster and
// every process it started, at once, without a shutdown checkpoint. The
// port stays closed until Restart.
func (s *Server) Kill() error {
	s.life.Lock()
	defer s.life.Unlock()
	return s.kill()
}

func (s *Server) kill() error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	procs, err := stopTree(cmd.Process.Pid)
	signalAll(procs, killSignal)
	<-done
	return errors.Join(err, waitGone(procs[1:], 10*time.Second))
}

// Restart kills the server (if it runs) and starts it again on the same
// port and data directory, waiting until it accepts connections, which
// includes its crash recovery.
func (s *Server) Restart(ctx context.Context) error {
	s.life.Lock()
	defer s.life.Unlock()
	if err := s.kill(); err != nil {
		return err
	}
	return s.start(ctx)
}

// Close kills the server and deletes its directory.
func (s *Server) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	err := s.kill()
	return errors.Join(err, os.RemoveAll(s.dir))
}

// freePort returns a port that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}
