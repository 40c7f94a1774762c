// Package redisstore is a [replay.Store] shared through Redis, so that any
// number of receivers on any number of machines accept each message once
// in total. [New] takes a redis.UniversalClient: a single server, Sentinel
// or Cluster; make it with [ClientOptions] (timeouts, one retry, pool), as
// the example of New shows. It lives apart from package replay so that a
// program using only the in-memory store does not link go-redis.
//
// Each check is idempotent, bounded in time and aware of data loss:
//
//   - A check writes a random value of its own under the pair's key (a Lua
//     script), so a command that the client library sends twice finds its
//     own value and is accepted, not taken for a replay. Each entry expires
//     at the token's exp plus the leeway, as an absolute time (PXAT), so
//     receivers' clocks do not shorten it.
//   - A check runs under a deadline ([WithTimeout], 1 s by default)
//     and the script refuses to write once Redis's clock has passed it, so
//     a command delayed by a paused server does not spend the pair after the
//     receiver answered 503. A check that fails or times out gives its pair
//     back (compare-and-delete of its own value) before it answers, or, if
//     Redis does not answer by the deadline, answers then and keeps trying
//     in the background; until the give-back lands, for [WithInDoubt] after
//     the deadline, another check of the pair is refused with
//     [replay.ErrInDoubt] (503), not [replay.ErrReplayed] (409).
//   - An epoch key, created with Redis's time when missing, is read in the
//     same round trip after each check ([Store.Epoch]). A store that lost
//     its data (a restart without persistence, a flush, an eviction) has a
//     new epoch, and messages issued before it (plus [WithResetMargin]) are
//     refused with [replay.ErrReset] (409, reason store_reset) until they
//     expire.
//
// Redis must keep what it acknowledges: AOF with appendfsync always and
// maxmemory-policy noeviction. With appendfsync everysec a crash may lose
// the last second of pairs, and with them their replay protection, without
// the epoch changing: those messages could then be replayed.
// docs/PROTOCOL.md section 3.0 says what a sender may assume after each
// answer.
package redisstore
