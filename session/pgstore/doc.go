// Package pgstore keeps session refresh-token families in PostgreSQL,
// durable and shared by any number of servers, on a pgx connection pool
// ([New]; [github.com/sealjwt/sealjwt/session.WithStore]). The example of
// New sizes its pool and timeouts.
//
// [Store.Migrate] creates the schema: two tables (families,
// refresh_tokens) and a rotate function, in a schema of their own
// ([DefaultSchema] unless [WithSchema] names another). Run it once at
// start-up; it is idempotent and safe to run from several servers at once.
//
// Round trips. A rotation makes two: it reads the token's secret hash and
// compares it in Go, in constant time; then one statement calls the rotate
// function, which locks the family row, applies every rule in one
// transaction, and checks the hash again (an equal comparison by then, so
// its timing tells nothing). The function checks the caller's deadline
// against clock_timestamp() before it writes, so a statement that arrives
// after the caller gave up commits nothing. pgx prepares each statement
// once per connection, which costs one more round trip on a connection's
// first use of it, and pgxpool pings a connection idle for over a second
// before handing it out (pgxpool.Config.ShouldPing).
//
// Durability. PostgreSQL keeps what it committed with its defaults
// (synchronous_commit = on); do not turn that off for this schema, or a
// crash may forget rotations, and with them the reuse detection of the
// tokens they consumed.
//
// Cleaning. Create deletes up to 100 families whose absolute lifetime has
// passed, with their tokens, in the same round trip; revoked families stay
// until then, so that their tokens keep answering
// [github.com/sealjwt/sealjwt/session.ErrRevoked].
//
// Revocations. The store implements
// [github.com/sealjwt/sealjwt/session.RevocationFeed] for immediate
// revocation ([Store.WatchRevocations]): each revocation is recorded in a
// table and sent with NOTIFY from a trigger, in the transaction that
// revoked it; each watching server holds one pool connection for LISTEN
// and gets four heartbeat notifications a second.
//
// Bounds. A subject keeps at most
// [github.com/sealjwt/sealjwt/session.DefaultMaxFamiliesPerSubject]
// families ([WithMaxFamiliesPerSubject]); a login beyond it ends the
// subject's oldest session.
package pgstore
