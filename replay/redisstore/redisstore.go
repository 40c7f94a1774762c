// Package redisstore is a replay.Store shared through Redis, so that any
// number of receivers on any number of machines accept each message once
// in total. It takes a redis.UniversalClient: a single server, Sentinel or
// Cluster. It lives apart from package replay so that a program using only
// the in-memory store does not link go-redis.
package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/replay"
)

// DefaultPrefix is the default prefix of the keys the store writes.
const DefaultPrefix = "sealjwt:replay:"

// Store is a replay.Store on Redis: each Check is one atomic
// SET key 1 NX PXAT expires.
type Store struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

var _ replay.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the key prefix (default DefaultPrefix). Receivers that
// must share replay state must use the same prefix.
func WithPrefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// New returns a Store on client. The caller keeps ownership of client and
// closes it.
func New(client redis.UniversalClient, opts ...Option) *Store {
	s := &Store{client: client, prefix: DefaultPrefix, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Check implements replay.Store with SET key 1 NX PXAT at, where at is
// expires (the token's exp plus the verifier's leeway) in Unix
// milliseconds, rounded up. The expiry is absolute, so every receiver
// sharing the server forgets the pair at the same instant, whatever its own
// clock says; a lifetime counted from a receiver's clock would let a
// receiver running behind shorten it. Only an expiry already in the past
// falls back to this receiver's clock, one millisecond ahead, because Redis
// deletes a key whose PXAT has passed. Any failure, including a cancelled
// ctx, wraps replay.ErrUnavailable.
func (s *Store) Check(ctx context.Context, issuer, id string, expires time.Time) error {
	k := replay.Key(issuer, id)
	reply, err := s.client.Do(ctx, "SET", s.prefix+hex.EncodeToString(k[:]), "1", "NX", "PXAT", s.expiresAt(expires)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		// NX refused the write: the key exists, so the pair was seen.
		return replay.ErrReplayed
	case err != nil:
		return fmt.Errorf("%w: %w", replay.ErrUnavailable, err)
	case reply != "OK":
		// Not a reply SET can give; refuse rather than guess.
		return fmt.Errorf("%w: unexpected reply %v", replay.ErrUnavailable, reply)
	}
	return nil
}

// expiresAt returns the PXAT value for expires: Unix milliseconds rounded
// up, and never before one millisecond from now.
func (s *Store) expiresAt(expires time.Time) int64 {
	ms := expires.UnixMilli()
	if expires.After(time.UnixMilli(ms)) {
		ms++
	}
	return max(ms, s.now().UnixMilli()+1)
}
