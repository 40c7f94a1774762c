package testredis

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/testserver"
)

// clusterNodes is the number of masters Cluster starts: the fewest Redis
// Cluster accepts.
const clusterNodes = 3

// Cluster starts a Redis Cluster of three masters from the local
// redis-server on free ports, stopped when the test ends, and returns the
// addresses of its nodes. Without redis-server the test skips, except
// under CI=true, where it fails.
func Cluster(t testing.TB) []string {
	t.Helper()
	server := lookPath(t, "redis-server")
	lookPath(t, "redis-cli")
	dir := t.TempDir()
	addrs := make([]string, clusterNodes)
	for i := range addrs {
		addrs[i] = startServer(t, server, dir, "--cluster-enabled", "yes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	create := exec.CommandContext(ctx, "redis-cli", append([]string{"--cluster", "create"}, append(addrs, "--cluster-yes")...)...)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create %v: %v\n%s", addrs, err, out)
	}
	for _, a := range addrs {
		waitFor(t, ctx, a, func(c *redis.Client) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && !strings.Contains(info, "cluster_state:ok") {
				err = fmt.Errorf("cluster state not ok yet")
			}
			return err
		})
	}
	return addrs
}

// Private starts a redis-server of the test's own on a free port, stopped
// when the test ends, and returns its address: for tests that change the
// whole server (SCRIPT FLUSH), which would disturb others sharing Addr.
// Without redis-server the test skips, except under CI=true, where it
// fails.
func Private(t testing.TB) string {
	t.Helper()
	return startServer(t, lookPath(t, "redis-server"), t.TempDir())
}

func lookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		testserver.Missing(t, name, "PATH", "PATH", err)
	}
	return path
}

// startServer starts redis-server with args on a free port and waits
// until it answers.
func startServer(t testing.TB, server, dir string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	cmd := exec.Command(server, append([]string{"--port", port, "--bind", "127.0.0.1",
		"--cluster-config-file", filepath.Join(dir, "nodes-"+port+".conf"), "--dir", dir,
		"--save", "", "--appendonly", "no"}, args...)...)
	stopWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + port
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitFor(t, ctx, addr, func(c *redis.Client) error { return c.Ping(ctx).Err() })
	return addr
}

// waitFor retries check on a client for addr until it succeeds or ctx ends.
func waitFor(t testing.TB, ctx context.Context, addr string, check func(*redis.Client) error) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for {
		err := check(c)
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("redis node %s: %v", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
