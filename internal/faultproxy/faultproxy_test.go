package faultproxy_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/testredis"
)

// client returns a go-redis client through p that never retries, so each
// test sees exactly the fault it made.
func client(t *testing.T, p *faultproxy.Proxy) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestFaultPauseHoldsCommandsUntilResume(t *testing.T) {
	direct := testredis.Client(t)
	prefix := testredis.Prefix(t, direct)
	p := faultproxy.New(t, testredis.Addr())
	c := client(t, p)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil { // a connection first: a fresh one's handshake would be held too
		t.Fatal(err)
	}

	p.Pause()
	err := c.Set(ctx, prefix+"k", "v", time.Minute).Err()
	if err == nil {
		t.Fatal("SET through a paused proxy answered; want a timeout")
	}
	if n, _ := direct.Exists(ctx, prefix+"k").Result(); n != 0 {
		t.Fatal("the command reached the server during the pause")
	}
	p.Resume()
	waitExists(t, direct, prefix+"k")
}

func TestFaultDropRepliesRunsTheCommandAndLosesTheReply(t *testing.T) {
	direct := testredis.Client(t)
	prefix := testredis.Prefix(t, direct)
	p := faultproxy.New(t, testredis.Addr())
	c := client(t, p)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	p.DropReplies(1)
	if err := c.Set(ctx, prefix+"k", "v", time.Minute).Err(); err == nil {
		t.Fatal("SET answered although its reply was dropped")
	}
	waitExists(t, direct, prefix+"k")
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("after one dropped reply the next command failed: %v", err)
	}
}

func TestFaultBlackHoleAndHeal(t *testing.T) {
	p := faultproxy.New(t, testredis.Client(t).Options().Addr)
	c := client(t, p)
	ctx := context.Background()
	p.BlackHole()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING through a black hole answered")
	}
	p.Heal()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Heal: %v", err)
	}
}

func TestFaultDelayRepliesAndReset(t *testing.T) {
	p := faultproxy.New(t, testredis.Client(t).Options().Addr)
	c := client(t, p)
	ctx := context.Background()
	p.DelayReplies(400 * time.Millisecond)
	var netErr interface{ Timeout() bool }
	if err := c.Ping(ctx).Err(); !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("PING with replies delayed past the read timeout: %v, want a timeout", err)
	}
	p.Heal()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Heal: %v", err)
	}
}

func TestFaultResetClosesOpenConnections(t *testing.T) {
	p := faultproxy.New(t, testredis.Client(t).Options().Addr)
	conn, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	reply := make([]byte, 7)
	if _, err := io.ReadFull(conn, reply); err != nil || string(reply) != "+PONG\r\n" {
		t.Fatalf("PING: %q, %v", reply, err)
	}
	p.Reset()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := conn.Read(reply); err == nil {
		t.Fatalf("read %q on a connection Reset closed; want an error", reply[:n])
	}
}

func waitExists(t *testing.T, c *redis.Client, key string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := c.Exists(context.Background(), key).Result(); n == 1 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("key %s never reached the server", key)
}
