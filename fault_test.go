package sealjwt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/faultproxy"
	"github.com/sealjwt/sealjwt/internal/replaytest/redisfixture"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay/redisstore"
)

// TestFaultPausedStoreEnvelopeAcceptedOnceOnRetry reproduces, end to end,
// the receiver whose Redis pauses for longer than its deadline: opening a
// fresh envelope fails with ErrReplayUnavailable (503) within the
// deadline, never ErrReplayed (409); once Redis answers, the same envelope
// (same jti) opens once, and a third copy is a replay.
func TestFaultPausedStoreEnvelopeAcceptedOnceOnRetry(t *testing.T) {
	const deadline = 300 * time.Millisecond
	shared := testredis.Client(t)
	p := faultproxy.New(t, testredis.Addr())
	c := redis.NewClient(redisstore.ClientOptions(&redis.Options{Addr: p.Addr()}))
	t.Cleanup(func() { _ = c.Close() })
	store := redisfixture.Store(t, c, testredis.Prefix(t, shared), redisstore.WithTimeout(deadline))
	sender, recv := fixture(t)
	opener := recv.opener(t, store, sender)
	env, err := sender.sealer(t).Seal(context.Background(), recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}

	p.Pause()
	start := time.Now()
	_, err = opener.Open(context.Background(), env)
	took := time.Since(start)
	time.Sleep(3 * deadline) // the pause outlasts the deadline several times over
	p.Resume()
	if !errors.Is(err, sealjwt.ErrReplayUnavailable) || errors.Is(err, sealjwt.ErrReplayed) || took > deadline+400*time.Millisecond {
		t.Fatalf("open during the pause: %v after %v; want ErrReplayUnavailable within %v", err, took, deadline)
	}
	if _, err := opener.Open(context.Background(), env); err != nil {
		t.Fatalf("the same envelope once the store answers: %v, want accepted", err)
	}
	if _, err := opener.Open(context.Background(), env); !errors.Is(err, sealjwt.ErrReplayed) {
		t.Fatalf("a third copy: %v, want ErrReplayed", err)
	}
}
