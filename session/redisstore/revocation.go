package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/session"
)

// The revocation feed (session.RevocationFeed): each revocation is
// published on <prefix>revoked (the family ids, space-separated) and
// recorded in the sorted set <prefix>revocations (scored by the time, in
// Unix ms) for the access-token lifetime, so that a server subscribing,
// or subscribing again after losing its connection, catches up on what it
// missed.
const (
	revocationsKept = session.MaxAccessTokenLifetime + time.Minute
	// feedSilence is how long a subscription may go without hearing from
	// the server (a message or the answer to its ping) before it counts as
	// lost; feedPing is how often it pings when nothing else comes.
	feedSilence = time.Second
	feedPing    = feedSilence / 4
)

func (s *Store) revokedChannel() string { return s.prefix + "revoked" }
func (s *Store) revocationsKey() string { return s.prefix + "revocations" }

// announce queues on p the record and the message of the revocation of
// ids.
func (s *Store) announce(ctx context.Context, p redis.Pipeliner, ids ...string) {
	if len(ids) == 0 {
		return
	}
	now := time.Now()
	members := make([]redis.Z, len(ids))
	for i, id := range ids {
		members[i] = redis.Z{Score: float64(now.UnixMilli()), Member: id}
	}
	p.ZAdd(ctx, s.revocationsKey(), members...)
	p.ZRemRangeByScore(ctx, s.revocationsKey(), "-inf", strconv.FormatInt(now.Add(-revocationsKept).UnixMilli(), 10))
	p.PExpire(ctx, s.revocationsKey(), revocationsKept)
	p.Publish(ctx, s.revokedChannel(), strings.Join(ids, " "))
}

// announceNow announces the revocation of ids in a round trip of its own.
func (s *Store) announceNow(ctx context.Context, ids ...string) error {
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		s.announce(ctx, p, ids...)
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// WatchRevocations implements session.RevocationFeed with a Pub/Sub
// subscription that pings the server when idle and counts as lost after
// feedSilence without an answer.
func (s *Store) WatchRevocations(ctx context.Context, since time.Time, revoked func([]string)) error {
	ps := s.client.Subscribe(ctx, s.revokedChannel())
	defer ps.Close()
	if _, err := ps.ReceiveTimeout(ctx, feedSilence); err != nil {
		return unavailable(fmt.Errorf("subscribing to revocations: %w", err))
	}
	missed, err := s.client.ZRangeByScore(ctx, s.revocationsKey(), &redis.ZRangeBy{
		Min: strconv.FormatInt(since.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return unavailable(fmt.Errorf("catching up on revocations: %w", err))
	}
	revoked(missed)
	heard := time.Now()
	for {
		msg, err := ps.ReceiveTimeout(ctx, feedPing)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err == nil:
			heard = time.Now()
			if m, ok := msg.(*redis.Message); ok {
				revoked(strings.Fields(m.Payload))
			}
			continue
		}
		var netErr interface{ Timeout() bool }
		if !errors.As(err, &netErr) || !netErr.Timeout() {
			return unavailable(fmt.Errorf("revocation feed: %w", err))
		}
		if time.Since(heard) > feedSilence {
			return unavailable(fmt.Errorf("revocation feed silent for %v", time.Since(heard)))
		}
		if err := ps.Ping(ctx); err != nil {
			return unavailable(fmt.Errorf("revocation feed: %w", err))
		}
	}
}

var _ session.RevocationFeed = (*Store)(nil)
