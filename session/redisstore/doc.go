// Package redisstore keeps session refresh-token families in Redis, so
// that any number of servers share them ([github.com/sealjwt/sealjwt/session.WithStore]).
// [New] takes a redis.UniversalClient: a single server, Sentinel or
// Cluster. The example of New sizes its pool and timeouts.
//
// Layout. A family is one hash, <prefix>f{<family id>}, holding the
// family's fields and, for each of its refresh tokens, the secret's hash
// and the time it was consumed. Every rule of a rotation runs in one Lua
// script on that one key, so rotations are atomic and need no cross-slot
// transaction on Cluster. A token id finds its family through an index
// key, <prefix>t{<token id>}, written once when the token is issued: the
// secret's hash, the family's expiry and the family id, none of which ever
// change. Every key expires with its family (PXAT). [WithPrefix] sets the
// prefix ([DefaultPrefix]).
//
// Round trips. A rotation makes two: it reads the token's index entry and
// compares the secret's hash in Go, in constant time; then one pipeline
// writes the successor's index entry and runs the rotation script, which
// checks the hash again (an equal comparison by then, so its timing tells
// nothing). The first call after the server lost its scripts (a restart,
// SCRIPT FLUSH) makes one more, to send the script source. The rotation
// script checks the caller's deadline against Redis's TIME before it
// writes, so a command that arrives after the caller gave up commits
// nothing.
//
// Durability. What the store loses, users lose: their sessions, and the
// reuse detection of the tokens they held. Run Redis with AOF and
// appendfsync always for sessions to survive a crash (everysec may lose
// the last second of rotations: those users' refresh tokens become
// unknown, and they log in again), and no FLUSHDB. The store notices when
// its server lost its data (an epoch key it reads with every lookup) and,
// for a week after, reports every unknown token as
// [github.com/sealjwt/sealjwt/session.ErrStoreReset] rather than as so
// many bad tokens.
//
// Eviction. Run the server with maxmemory-policy noeviction (the
// default). Every key has an expiry, so the volatile-* policies may evict
// them too: an evicted family only ends its session, but an evicted index
// entry makes a consumed token unknown, and presenting it again then no
// longer revokes its family.
//
// Revocations. The store implements
// [github.com/sealjwt/sealjwt/session.RevocationFeed] for immediate
// revocation ([Store.WatchRevocations]): each revocation is published on a
// Pub/Sub channel and kept an hour in a sorted set for servers catching up,
// on a connection of its own per server.
//
// Bounds. A subject keeps at most
// [github.com/sealjwt/sealjwt/session.DefaultMaxFamiliesPerSubject]
// families ([WithMaxFamiliesPerSubject]); a login beyond it ends the
// subject's oldest session.
package redisstore
