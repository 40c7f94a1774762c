package replay

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the default prefix of the keys a Redis store writes.
const DefaultPrefix = "sealjwt:replay:"

// Redis is a Store shared through a Redis server or cluster: each Check is
// one atomic SET NX PX, so any number of receivers sharing the server accept
// a pair once in total.
type Redis struct {
	client redis.UniversalClient
	prefix string
}

// RedisOption configures a Redis store.
type RedisOption func(*Redis)

// WithPrefix sets the key prefix (default DefaultPrefix). Receivers that
// must share replay state must use the same prefix.
func WithPrefix(p string) RedisOption {
	return func(r *Redis) { r.prefix = p }
}

// NewRedis returns a Store backed by client. The caller keeps ownership of
// client and closes it.
func NewRedis(client redis.UniversalClient, opts ...RedisOption) *Redis {
	r := &Redis{client: client, prefix: DefaultPrefix}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Check implements Store with SET key 1 NX PX ttl, where ttl is the time
// left until expires, rounded up to whole milliseconds and at least 1 ms.
// Any failure, including a cancelled ctx, wraps ErrUnavailable.
func (r *Redis) Check(ctx context.Context, issuer, id string, expires time.Time) error {
	k := key(issuer, id)
	d := ttl(time.Now(), expires)
	ms := int64((d + time.Millisecond - 1) / time.Millisecond)
	reply, err := r.client.Do(ctx, "SET", r.prefix+hex.EncodeToString(k[:]), "1", "NX", "PX", ms).Result()
	switch {
	case errors.Is(err, redis.Nil):
		// NX refused the write: the key exists, so the pair was seen.
		return ErrReplayed
	case err != nil:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case reply != "OK":
		// Not a reply SET can give; refuse rather than guess.
		return fmt.Errorf("%w: unexpected reply %v", ErrUnavailable, reply)
	}
	return nil
}
