package pgstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sealjwt/sealjwt/session"
)

// DefaultSchema is the schema the store's tables live in by default.
const DefaultSchema = "sealjwt_session"

// cleanBatch bounds the expired families one Create deletes.
const cleanBatch = 100

// Store is a session.Store on PostgreSQL.
type Store struct {
	pool       *pgxpool.Pool
	schema     string // quoted
	channel    string // of the revocation feed
	sql        queries
	perSubject int
}

var _ session.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithSchema sets the schema of the store's tables (default
// DefaultSchema). Servers sharing sessions must use the same schema.
func WithSchema(name string) Option {
	return func(s *Store) { s.schema = pgx.Identifier{name}.Sanitize() }
}

// WithMaxFamiliesPerSubject sets the most families kept per subject
// (default session.DefaultMaxFamiliesPerSubject); a login beyond it
// deletes the subject's oldest family, in the same transaction. Values
// below 1 are treated as 1.
func WithMaxFamiliesPerSubject(n int) Option {
	return func(s *Store) { s.perSubject = max(n, 1) }
}

// New returns a Store on pool. The caller keeps ownership of pool and
// closes it. Call Migrate before the store's first use.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, schema: pgx.Identifier{DefaultSchema}.Sanitize(), perSubject: session.DefaultMaxFamiliesPerSubject}
	for _, o := range opts {
		o(s)
	}
	sum := sha256.Sum256([]byte(s.schema))
	s.channel = "sealjwt_revoked_" + hex.EncodeToString(sum[:8])
	s.sql = newQueries(s.schema)
	return s
}

// queries are the statements the store runs, in its schema.
type queries struct {
	create, clean, cleanRevocations, trimSubject, tokenHash, lockFamily, abandon, rotate, lookup, revokeFamily, revokeSubject string
}

func newQueries(schema string) queries {
	q := queries{
		create: `WITH f AS (
			INSERT INTO {schema}.families (id, subject, scopes, claims, created_at, expires_at, last_use)
			VALUES ($1, $2, $3, $4, $5, $6, $5) RETURNING id)
			INSERT INTO {schema}.refresh_tokens (id, family_id, hash, issued_at) SELECT $7, id, $8, $9 FROM f`,
		clean: `DELETE FROM {schema}.families WHERE id IN (
			SELECT id FROM {schema}.families WHERE expires_at <= $1
			ORDER BY expires_at LIMIT ` + fmt.Sprint(cleanBatch) + ` FOR UPDATE SKIP LOCKED)`,
		cleanRevocations: `DELETE FROM {schema}.revocations WHERE at < $1::timestamptz - interval '` + fmt.Sprint(int(revocationsKept.Seconds())) + ` seconds'`,
		trimSubject: `DELETE FROM {schema}.families WHERE id IN (
			SELECT id FROM {schema}.families WHERE subject = $1 ORDER BY created_at DESC, id OFFSET $2)`,
		lockFamily: `SELECT 1 FROM {schema}.families WHERE id = (SELECT family_id FROM {schema}.refresh_tokens WHERE id = $1) FOR UPDATE`,
		abandon: `WITH tok AS (
			SELECT t.id, t.family_id FROM {schema}.refresh_tokens t JOIN {schema}.families f ON f.id = t.family_id
			WHERE t.id = $1 AND t.hash = $2 AND t.consumed_by = $3 AND NOT t.shared AND NOT f.revoked FOR UPDATE OF f),
		gone AS (
			DELETE FROM {schema}.refresh_tokens n USING tok
			WHERE n.id = $4 AND n.family_id = tok.family_id AND n.consumed_at IS NULL RETURNING n.id)
			UPDATE {schema}.refresh_tokens t SET consumed_at = NULL, consumed_by = NULL FROM gone WHERE t.id = $1`,
		tokenHash: `SELECT hash FROM {schema}.refresh_tokens WHERE id = $1`,
		rotate: `SELECT r_outcome, r_request, r_family_id, r_subject, r_scopes, r_claims, r_created_at, r_expires_at
			FROM {schema}.rotate($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		lookup: `SELECT t.hash, f.id, f.subject, f.scopes, f.claims, f.created_at, f.expires_at
			FROM {schema}.refresh_tokens t JOIN {schema}.families f ON f.id = t.family_id WHERE t.id = $1`,
		revokeFamily:  `UPDATE {schema}.families SET revoked = true WHERE id = $1`,
		revokeSubject: `UPDATE {schema}.families SET revoked = true WHERE subject = $1`,
	}
	for _, p := range []*string{&q.create, &q.clean, &q.cleanRevocations, &q.trimSubject, &q.lockFamily, &q.abandon, &q.tokenHash, &q.rotate, &q.lookup, &q.revokeFamily, &q.revokeSubject} {
		*p = inSchema(*p, schema)
	}
	return q
}

// migrateLock is the advisory lock key that serialises concurrent Migrate
// calls: concurrent CREATE ... IF NOT EXISTS can otherwise collide.
const migrateLock = 0x5ea1_5e55

// Migrate creates the store's schema, tables and function, or brings them
// to this version. It is idempotent.
func (s *Store) Migrate(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, strings.ReplaceAll(inSchema(schemaSQL, s.schema), "{channel}", s.channel))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: migrating schema %s: %w", s.schema, unavailable(err))
	}
	return nil
}

func unavailable(err error) error {
	return fmt.Errorf("%w: postgres: %w", session.ErrStoreUnavailable, err)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// Create implements session.Store in one round trip and one transaction,
// which also deletes expired families (f.CreatedAt is the current time)
// and the subject's oldest families beyond its bound.
func (s *Store) Create(ctx context.Context, f session.Family, first session.Refresh) error {
	b := &pgx.Batch{}
	b.Queue(s.sql.clean, f.CreatedAt)
	b.Queue(s.sql.cleanRevocations, time.Now())
	b.Queue(s.sql.create, f.ID, f.Subject, f.Scopes, f.Claims, f.CreatedAt, f.ExpiresAt, first.ID, first.Hash[:], first.IssuedAt)
	b.Queue(s.sql.trimSubject, f.Subject, s.perSubject)
	err := s.pool.SendBatch(ctx, b).Close()
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("pgstore: family id %q or token id %q already exists", f.ID, first.ID)
	case err != nil:
		return unavailable(err)
	}
	return nil
}

// storable reports whether a text column can hold id: valid UTF-8 without
// NUL. Any other id is unknown without asking the server.
func storable(id string) bool {
	return utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}

// Rotate implements session.Store in two round trips. A rotation cut off
// by the caller's deadline may still reach the server (a paused server
// reads it when it resumes): the function then finds the deadline passed
// by the server's clock and writes nothing.
func (s *Store) Rotate(ctx context.Context, r session.Rotation) (session.Rotated, error) {
	if !storable(r.ID) {
		return session.Rotated{}, session.ErrInvalidRefresh
	}
	var stored []byte
	err := s.pool.QueryRow(ctx, s.sql.tokenHash, r.ID).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return session.Rotated{}, session.ErrInvalidRefresh
	}
	if err != nil {
		return session.Rotated{}, unavailable(err)
	}
	if subtle.ConstantTimeCompare(stored, r.Hash[:]) != 1 {
		return session.Rotated{}, session.ErrInvalidRefresh
	}
	var (
		outcome string
		request []byte
		f       storedFamily
	)
	err = s.pool.QueryRow(ctx, s.sql.rotate,
		r.ID, r.Hash[:], r.Next.ID, r.Next.Hash[:], r.Next.IssuedAt, r.Now, r.Grace.Microseconds(), r.Idle.Microseconds(),
		requestArg(r.Request), timeArg(r.Deadline), session.KeptConsumed, timeArg(r.UnansweredFirst), timeArg(r.UnansweredLast),
	).Scan(&outcome, &request, &f.id, &f.subject, &f.scopes, &f.claims, &f.createdAt, &f.expiresAt)
	switch {
	case isUniqueViolation(err):
		return session.Rotated{}, fmt.Errorf("pgstore: refresh token id %q already exists", r.Next.ID)
	case err != nil:
		return session.Rotated{}, unavailable(err)
	}
	switch outcome {
	case "rotated", "grace":
		rot := session.Rotated{Family: f.family(), InGrace: outcome == "grace"}
		copy(rot.Request[:], request)
		return rot, nil
	case "late":
		return session.Rotated{}, unavailable(errors.New("the rotation reached the server after its deadline; nothing written"))
	case "invalid":
		return session.Rotated{}, session.ErrInvalidRefresh
	case "revoked":
		return session.Rotated{}, session.ErrRevoked
	case "expired":
		return session.Rotated{}, session.ErrSessionExpired
	case "reuse":
		return session.Rotated{}, session.ErrReuse
	}
	return session.Rotated{}, unavailable(fmt.Errorf("rotate returned outcome %q", outcome))
}

// Abandon implements session.Abandoner in one round trip and one
// transaction of two statements. The first locks the family, waiting for
// a rotation of it to commit; the second, which reads the token, starts
// after that, so it sees what the rotation wrote: a grace retry that
// handed the successor out marked the token shared. One statement that
// read the token and then waited for the lock would test the token as
// it was before (READ COMMITTED rechecks only the rows a statement
// locks), and delete a successor the client holds.
func (s *Store) Abandon(ctx context.Context, r session.Rotation) error {
	if !storable(r.ID) || !storable(r.Next.ID) || r.Request == (session.RequestID{}) {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(s.sql.lockFamily, r.ID)
	b.Queue(s.sql.abandon, r.ID, r.Hash[:], r.Request[:], r.Next.ID)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return unavailable(err)
	}
	return nil
}

// requestArg is a RequestID as the rotate function takes it: NULL for the
// zero id, which matches nothing.
func requestArg(r session.RequestID) []byte {
	if r == (session.RequestID{}) {
		return nil
	}
	return r[:]
}

// timeArg is a time as the rotate function takes it: NULL for the zero
// time (none).
func timeArg(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// storedFamily receives a family's columns, NULL when the rotate function
// refused.
type storedFamily struct {
	id, subject          *string
	scopes               []string
	claims               []byte
	createdAt, expiresAt *time.Time
}

func (f storedFamily) family() session.Family {
	fam := session.Family{Scopes: f.scopes, Claims: f.claims}
	if f.id != nil && f.subject != nil && f.createdAt != nil && f.expiresAt != nil {
		fam.ID, fam.Subject, fam.CreatedAt, fam.ExpiresAt = *f.id, *f.subject, *f.createdAt, *f.expiresAt
	}
	return fam
}

// Lookup implements session.Store in one round trip.
func (s *Store) Lookup(ctx context.Context, id string, h session.SecretHash) (session.Family, error) {
	if !storable(id) {
		return session.Family{}, session.ErrInvalidRefresh
	}
	var (
		stored []byte
		f      storedFamily
	)
	err := s.pool.QueryRow(ctx, s.sql.lookup, id).Scan(&stored, &f.id, &f.subject, &f.scopes, &f.claims, &f.createdAt, &f.expiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return session.Family{}, session.ErrInvalidRefresh
	}
	if err != nil {
		return session.Family{}, unavailable(err)
	}
	if subtle.ConstantTimeCompare(stored, h[:]) != 1 {
		return session.Family{}, session.ErrInvalidRefresh
	}
	return f.family(), nil
}

// RevokeFamily implements session.Store in one round trip.
func (s *Store) RevokeFamily(ctx context.Context, familyID string) error {
	if !storable(familyID) {
		return nil // unknown
	}
	return s.exec(ctx, s.sql.revokeFamily, familyID)
}

// RevokeSubject implements session.Store in one round trip.
func (s *Store) RevokeSubject(ctx context.Context, subject string) error {
	return s.exec(ctx, s.sql.revokeSubject, subject)
}

func (s *Store) exec(ctx context.Context, sql string, args ...any) error {
	if _, err := s.pool.Exec(ctx, sql, args...); err != nil {
		return unavailable(err)
	}
	return nil
}
