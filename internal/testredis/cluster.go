package testredis

import (
	"context"
	"fmt"
	"os/exec"
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
	lookPath(t, "redis-cli")
	addrs := make([]string, clusterNodes)
	for i := range addrs {
		addrs[i] = StartServer(t, "--cluster-enabled", "yes").Addr()
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
	return StartServer(t).Addr()
}

func lookPath(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		testserver.Missing(t, name, "PATH", "PATH", err)
	}
	return path
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
