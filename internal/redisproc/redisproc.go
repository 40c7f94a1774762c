// Package redisproc runs a private redis-server on a free loopback port,
// for the fault tests and the fault-measuring commands, which pause, kill
// and restart it: never the shared server.
package redisproc

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process, restartable on the same port.
type Server struct {
	path, dir, port string
	args            []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts redis-server in dir on a free port with extraArgs after the
// defaults (no RDB snapshots, no AOF: later arguments win, so pass
// "--appendonly", "yes", "--appendfsync", "always" for a durable one), and
// waits until it answers.
func Start(dir string, extraArgs ...string) (*Server, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{path: path, dir: dir, port: port, args: extraArgs}
	return s, s.start()
}

// Addr is the server's address.
func (s *Server) Addr() string { return "127.0.0.1:" + s.port }

// Signal sends sig to the server (SIGSTOP and SIGCONT pause and resume it).
func (s *Server) Signal(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

// Kill stops the server at once (SIGKILL: no shutdown save), leaving the
// port closed until Restart.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// Restart kills the server and starts it again on the same port, with the
// same arguments and directory: without persistence it comes back empty;
// with AOF it replays its log.
func (s *Server) Restart() error {
	s.Kill()
	return s.start()
}

func (s *Server) start() error {
	args := append([]string{"--port", s.port, "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no"}, s.args...)
	cmd := exec.Command(s.path, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	stopWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting redis-server: %w", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis-server at %s did not answer: %w", s.Addr(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
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
