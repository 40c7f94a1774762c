// Package replay remembers (issuer, jti) pairs until their tokens expire, so
// that a receiver accepts each message at most once.
//
// A [Store] answers one question, atomically: has this pair been seen
// before its expiry? Two are provided: [Memory] ([NewMemory]), for a
// single receiver process, bounded in entries (1,048,576 by default,
// [WithCapacity]; full of live pairs, it refuses new ones with [ErrFull]);
// and the Redis store in package
// [github.com/sealjwt/sealjwt/replay/redisstore], which any number of
// receivers on any number of machines can share. It lives in its own
// package, so that this one does not link go-redis.
//
// Both fail closed: when a store cannot tell whether a pair was seen
// before, Check returns an error other than [ErrReplayed] and the message
// must be refused (503 over HTTP, never 409). A store that can lose its
// data while receivers run implements [IssuedStore], and refuses with
// [ErrReset] the messages issued before the loss. Replay protection is only
// as wide as the store: receivers that do not share one can each accept
// the same message once.
package replay
