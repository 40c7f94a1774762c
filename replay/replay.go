package replay

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Store remembers (issuer, id) pairs.
type Store interface {
	// Check atomically remembers (issuer, id) until expires and returns nil
	// the first time; a second call with the same pair before expiry returns
	// an error wrapping ErrReplayed. Any other error means the store could
	// not decide and the message must be refused.
	Check(ctx context.Context, issuer, id string, expires time.Time) error
}

var (
	// ErrReplayed is returned by [Store.Check] (and [IssuedStore.CheckIssued])
	// of [Memory] and of the Redis store for a pair that was already seen and
	// has not expired. The root package's Opener reports it for a message it
	// accepted before (sealjwt.ErrReplayed is this value); a server answers
	// 409.
	ErrReplayed = errors.New("sealjwt: message replayed")
	// ErrFull is returned by [Memory.Check] when every entry of the store is
	// still live. The pair is refused rather than forgetting a live one,
	// which would reopen a replay window; a server answers 503.
	ErrFull = errors.New("replay: store full of live entries")
	// ErrUnavailable is returned by a store's Check (the Redis store's) when
	// its backend could not be reached, failed, or missed the call's
	// deadline. The pair is refused: accepting on error would let replays
	// through whenever the backend is down. sealjwt.ErrReplayUnavailable is
	// this value; a server answers 503, and the sender may retry with the
	// same id.
	ErrUnavailable = errors.New("replay: store unavailable")
	// ErrInDoubt is returned by the Redis store's Check for a pair held by
	// another check whose receiver gave up before hearing the store's
	// answer and may still give the pair back. It wraps [ErrUnavailable]:
	// the message is refused with 503 and may be sent again with the same
	// id.
	ErrInDoubt = fmt.Errorf("%w: pair held by a check still in doubt", ErrUnavailable)
	// ErrReset is returned by [IssuedStore.CheckIssued] of the Redis store for
	// a message issued before the store last lost its data (a restart
	// without persistence, a flush, an eviction): the store cannot tell
	// whether it accepted the message before the loss, so it refuses it
	// until it expires.
	ErrReset = errors.New("replay: message issued before the store lost its data")
)

// IssuedStore is a Store that can lose its data while receivers run (a
// shared server): CheckIssued is Check, also told when the message was
// issued, so that it can refuse with ErrReset a message issued before the
// store last lost its data. Receivers call CheckIssued when a store has it.
type IssuedStore interface {
	Store
	CheckIssued(ctx context.Context, issuer, id string, issued, expires time.Time) error
}

// minTTL is how long a pair is remembered at least, even if its expiry has
// already passed. Callers reject expired tokens before asking the store, so
// this only keeps Check well-defined.
const minTTL = time.Millisecond

// Key returns the key a store files (issuer, id) under: SHA-256 over
// len(issuer) || issuer || len(id) || id, each length 8 bytes big-endian. The length prefixes make the encoding
// unambiguous: ("a:b", "c") and ("a", "b:c") give different keys. Hashing
// also bounds key size whatever the token carries.
func Key(issuer, id string) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(issuer)))
	h.Write(n[:])
	h.Write([]byte(issuer))
	binary.BigEndian.PutUint64(n[:], uint64(len(id)))
	h.Write(n[:])
	h.Write([]byte(id))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// ttl returns how long to remember a pair expiring at expires, seen at now.
func ttl(now, expires time.Time) time.Duration {
	return max(expires.Sub(now), minTTL)
}
