package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/session"
)

// Detecting a lost dataset. The key <prefix>epoch holds a random value,
// written (if absent) by every Create, and read with every token lookup.
// A store that saw one value and then finds none, or another, knows the
// server lost its data since (a restart without persistence, a flush):
// it writes a new epoch and the marker <prefix>reset, which lives for the
// default idle timeout, and while the marker lives every unknown token
// is reported as session.ErrStoreReset: the tokens issued before the loss
// are unknown now, and their holders must log in again. A fleet whose
// servers all restart together with Redis, before any lookup, does not
// notice.
const resetWindow = session.DefaultIdleTimeout

// checkEpoch compares the epoch read with the one last seen and reports
// whether the dataset was lost since; it records the loss.
func (s *Store) checkEpoch(ctx context.Context, epoch *redis.StringCmd) (bool, error) {
	seen := s.epoch.Load()
	now, err := epoch.Result()
	switch {
	case err == nil && (seen == nil || *seen == now):
		s.epoch.Store(&now)
		return false, nil
	case err != nil && !errors.Is(err, redis.Nil):
		return false, unavailable(err)
	case seen == nil: // no epoch yet: a new dataset, or one this store never saw
		return false, nil
	}
	// Lost: record it, and start a new epoch if none was started yet.
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.resetKey(), fmt.Sprint(now), resetWindow)
		p.SetNX(ctx, s.epochKey(), rand.Text(), 0)
		return nil
	})
	if err != nil {
		return true, unavailable(err)
	}
	if cur, err := s.client.Get(ctx, s.epochKey()).Result(); err == nil {
		s.epoch.Store(&cur)
	}
	return true, nil
}
