package redisstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sealjwt/sealjwt/internal/rediskey"
	"github.com/sealjwt/sealjwt/session"
)

// DefaultPrefix is the default prefix of the keys the store writes.
const DefaultPrefix = "sealjwt:session:"

// maxIDLen bounds the ids the store builds keys from; the session package
// issues 22-character ids.
const maxIDLen = 64

// Store is a session.Store on Redis.
type Store struct {
	client     redis.UniversalClient
	prefix     string
	perSubject int
	epoch      atomic.Pointer[string] // the dataset's epoch, as last seen
}

var _ session.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the key prefix (default DefaultPrefix), which must not
// contain '{' or '}' (they would move the keys' hash slots on Cluster).
// Servers sharing sessions must use the same prefix.
func WithPrefix(p string) Option {
	return func(s *Store) { s.prefix = p }
}

// WithMaxFamiliesPerSubject sets the most families kept per subject
// (default session.DefaultMaxFamiliesPerSubject); a login beyond it
// deletes the subject's oldest family. Values below 1 are treated as 1.
func WithMaxFamiliesPerSubject(n int) Option {
	return func(s *Store) { s.perSubject = max(n, 1) }
}

// New returns a Store on client. The caller keeps ownership of client and
// closes it.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	s := &Store{client: client, prefix: DefaultPrefix, perSubject: session.DefaultMaxFamiliesPerSubject}
	for _, o := range opts {
		o(s)
	}
	if err := rediskey.CheckPrefix(s.prefix); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) familyKey(id string) string { return s.prefix + "f{" + id + "}" }
func (s *Store) epochKey() string           { return s.prefix + "epoch" }
func (s *Store) resetKey() string           { return s.prefix + "reset" }
func (s *Store) tokenKey(id string) string  { return s.prefix + "t{" + id + "}" }

func (s *Store) subjectKey(subject string) string {
	h := sha256.Sum256([]byte(subject))
	return s.prefix + "s{" + hex.EncodeToString(h[:16]) + "}"
}

// validID reports whether id can name a key: base64url, at most maxIDLen
// characters. Any other id is unknown without asking the server.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// tokenEntry is the content of a token's index key.
type tokenEntry struct {
	hash     session.SecretHash
	expires  int64 // the family's expiry, Unix ms
	familyID string
	// consumed are the ids of the family's tokens consumed before this one
	// was issued, the latest session.KeptConsumed, oldest first: when this
	// token is consumed, the index key of the first is deleted, as the
	// rotation script forgets it in the family hash.
	consumed []string
}

// The encoding: hash, expiry (8 bytes, big-endian), then the family id
// and each consumed id, each preceded by its length in one byte.
const entryFixed = len(session.SecretHash{}) + 8

func (e tokenEntry) encode() []byte {
	b := make([]byte, 0, entryFixed+1+len(e.familyID)+len(e.consumed)*(1+22))
	b = append(b, e.hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.expires))
	for _, id := range append([]string{e.familyID}, e.consumed...) {
		b = append(b, byte(len(id)))
		b = append(b, id...)
	}
	return b
}

func decodeTokenEntry(b []byte) (tokenEntry, error) {
	var e tokenEntry
	if len(b) <= entryFixed {
		return e, fmt.Errorf("redisstore: token index entry of %d bytes, want more than %d", len(b), entryFixed)
	}
	copy(e.hash[:], b)
	e.expires = int64(binary.BigEndian.Uint64(b[len(e.hash):]))
	var ids []string
	for rest := b[entryFixed:]; len(rest) > 0; {
		n := int(rest[0])
		if n == 0 || n > maxIDLen || n >= len(rest) || len(ids) > session.KeptConsumed {
			return tokenEntry{}, fmt.Errorf("redisstore: token index entry: id %d of length %d in %d bytes left, want 1 to %d bytes and at most %d ids", len(ids), n, len(rest)-1, maxIDLen, session.KeptConsumed+1)
		}
		ids = append(ids, string(rest[1:1+n]))
		rest = rest[1+n:]
	}
	e.familyID, e.consumed = ids[0], ids[1:]
	if len(e.consumed) == 0 {
		e.consumed = nil
	}
	return e, nil
}

// successorEntry is the index entry of the token that follows e's when
// id (e's token) is consumed.
func (e tokenEntry) successorEntry(id string, h session.SecretHash) tokenEntry {
	consumed := append(slices.Clone(e.consumed), id)
	if len(consumed) > session.KeptConsumed {
		consumed = consumed[len(consumed)-session.KeptConsumed:]
	}
	return tokenEntry{hash: h, expires: e.expires, familyID: e.familyID, consumed: consumed}
}

func unavailable(err error) error {
	return fmt.Errorf("%w: redis: %w", session.ErrStoreUnavailable, err)
}

// Create implements session.Store in one round trip.
func (s *Store) Create(ctx context.Context, f session.Family, first session.Refresh) error {
	if !validID(f.ID) || !validID(first.ID) {
		return fmt.Errorf("redisstore: family id %q or token id %q is not 1 to %d base64url characters", f.ID, first.ID, maxIDLen)
	}
	scopes, err := json.Marshal(f.Scopes)
	if err != nil {
		return fmt.Errorf("redisstore: scopes: %w", err)
	}
	expires := f.ExpiresAt.UnixMilli()
	var created, indexed *redis.Cmd
	err = s.pipeline(ctx, func(p redis.Pipeliner, run runner) {
		created = run(createScript, s.familyKey(f.ID),
			f.Subject, scopes, f.Claims, f.CreatedAt.UnixMilli(), expires, first.ID, first.Hash[:])
		s.setToken(ctx, p, first.ID, tokenEntry{hash: first.Hash, expires: expires, familyID: f.ID})
		indexed = run(indexScript, s.subjectKey(f.Subject), f.ID, expires, time.Now().UnixMilli(), s.perSubject)
		p.SetNX(ctx, s.epochKey(), rand.Text(), 0)
	})
	if err != nil {
		return unavailable(err)
	}
	if n, _ := created.Int(); n != 1 {
		return fmt.Errorf("redisstore: a family with id %q already exists", f.ID)
	}
	evicted, err := indexed.StringSlice()
	if err != nil {
		return unavailable(err)
	}
	evicted = slices.DeleteFunc(evicted, func(id string) bool { return id == f.ID || !validID(id) })
	if err := s.drop(ctx, evicted); err != nil {
		return err
	}
	return s.announceNow(ctx, evicted...)
}

// drop deletes families beyond their subject's bound, then their tokens'
// index keys: two round trips, at a login beyond the bound only.
func (s *Store) drop(ctx context.Context, familyIDs []string) error {
	if len(familyIDs) == 0 {
		return nil
	}
	dropped := make([]*redis.Cmd, 0, len(familyIDs))
	err := s.pipeline(ctx, func(p redis.Pipeliner, run runner) {
		for _, id := range familyIDs {
			dropped = append(dropped, run(dropScript, s.familyKey(id)))
		}
	})
	if err != nil {
		return unavailable(err)
	}
	var keys []string
	for _, d := range dropped {
		ids, _ := d.StringSlice()
		for _, id := range ids {
			keys = append(keys, s.tokenKey(id))
		}
	}
	return s.unlink(ctx, keys...)
}

// unlink deletes keys, one command each, so that Cluster routes each to
// its own slot.
func (s *Store) unlink(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Unlink(ctx, k)
		}
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

func (s *Store) setToken(ctx context.Context, p redis.Pipeliner, id string, e tokenEntry) {
	p.Do(ctx, "SET", s.tokenKey(id), e.encode(), "PXAT", e.expires)
}

// entry reads the index entry of token id, with the dataset's epoch, and
// checks h against it in constant time: one round trip.
func (s *Store) entry(ctx context.Context, id string, h session.SecretHash) (tokenEntry, error) {
	if !validID(id) {
		return tokenEntry{}, session.ErrInvalidRefresh
	}
	var (
		tok, epoch *redis.StringCmd
		reset      *redis.IntCmd
	)
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		tok = p.Get(ctx, s.tokenKey(id))
		epoch = p.Get(ctx, s.epochKey())
		reset = p.Exists(ctx, s.resetKey())
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return tokenEntry{}, unavailable(err)
	}
	lost, err := s.checkEpoch(ctx, epoch)
	if err != nil {
		return tokenEntry{}, err
	}
	b, err := tok.Bytes()
	if errors.Is(err, redis.Nil) {
		if lost || reset.Val() > 0 {
			return tokenEntry{}, fmt.Errorf("%w: %w", session.ErrStoreReset, session.ErrInvalidRefresh)
		}
		return tokenEntry{}, session.ErrInvalidRefresh
	}
	if err != nil {
		return tokenEntry{}, unavailable(err)
	}
	e, err := decodeTokenEntry(b)
	if err != nil {
		return tokenEntry{}, unavailable(err)
	}
	if subtle.ConstantTimeCompare(e.hash[:], h[:]) != 1 {
		return tokenEntry{}, session.ErrInvalidRefresh
	}
	return e, nil
}

// Rotate implements session.Store in two round trips; three when the
// rotation records no successor (grace, reuse, revoked, expired, late), to
// delete the successor's index entry that the second wrote in advance.
func (s *Store) Rotate(ctx context.Context, r session.Rotation) (session.Rotated, error) {
	if !validID(r.Next.ID) {
		return session.Rotated{}, fmt.Errorf("redisstore: successor id %q is not 1 to %d base64url characters", r.Next.ID, maxIDLen)
	}
	e, err := s.entry(ctx, r.ID, r.Hash)
	if err != nil {
		return session.Rotated{}, err
	}
	next := e.successorEntry(r.ID, r.Next.Hash)
	deadline := millis(r.Deadline)
	var rotated *redis.Cmd
	err = s.pipeline(ctx, func(p redis.Pipeliner, run runner) {
		// Written before the script decides, deleted if it records no
		// successor. A re-send of this pipeline writes the same entry.
		s.setToken(ctx, p, r.Next.ID, next)
		if len(e.consumed) == session.KeptConsumed {
			p.Unlink(ctx, s.tokenKey(e.consumed[0])) // the script forgets it too
		}
		rotated = run(rotateScript, s.familyKey(e.familyID), r.ID, r.Hash[:], r.Next.ID, r.Next.Hash[:],
			r.Now.UnixMilli(), r.Grace.Milliseconds(), r.Idle.Milliseconds(), requestArg(r.Request), deadline, session.KeptConsumed,
			millis(r.UnansweredFirst), millis(r.UnansweredLast))
	})
	if err != nil {
		return session.Rotated{}, unavailable(err)
	}
	reply, err := rotated.Slice()
	if err != nil || len(reply) == 0 {
		return session.Rotated{}, unavailable(fmt.Errorf("rotation script replied %v, %v", reply, err))
	}
	outcome, _ := reply[0].(int64)
	if outcome != outcomeRotated {
		// Nothing names the entry written in advance: delete it, under a
		// context of its own, since the caller's may have run out.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_, _ = s.client.Pipelined(cleanup, func(p redis.Pipeliner) error {
			p.Unlink(cleanup, s.tokenKey(r.Next.ID))
			if outcome == outcomeReuse {
				s.announce(cleanup, p, e.familyID)
			}
			return nil
		})
	}
	return rotationResult(e.familyID, outcome, reply)
}

// millis is t in Unix milliseconds, 0 for the zero time (none).
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Abandon implements session.Abandoner in two or three round trips.
func (s *Store) Abandon(ctx context.Context, r session.Rotation) error {
	if !validID(r.Next.ID) {
		return nil
	}
	e, err := s.entry(ctx, r.ID, r.Hash)
	if errors.Is(err, session.ErrInvalidRefresh) {
		return nil
	}
	if err != nil {
		return err
	}
	var undone *redis.Cmd
	err = s.pipeline(ctx, func(_ redis.Pipeliner, run runner) {
		undone = run(abandonScript, s.familyKey(e.familyID), r.ID, r.Hash[:], requestArg(r.Request), r.Next.ID)
	})
	if err != nil {
		return unavailable(err)
	}
	if n, _ := undone.Int(); n == 1 {
		return s.unlink(ctx, s.tokenKey(r.Next.ID))
	}
	return nil
}

// requestArg is a RequestID as the script takes it: "" for the zero id,
// which matches nothing.
func requestArg(r session.RequestID) []byte {
	if r == (session.RequestID{}) {
		return nil
	}
	return r[:]
}

// rotationResult maps the rotation script's reply to Rotate's result.
func rotationResult(familyID string, outcome int64, reply []any) (session.Rotated, error) {
	switch outcome {
	case outcomeRotated, outcomeInGrace:
		if len(reply) < 2 {
			return session.Rotated{}, unavailable(fmt.Errorf("rotation script replied %d values", len(reply)))
		}
		req, _ := reply[1].(string)
		f, err := decodeFamily(familyID, reply[2:])
		if err != nil {
			return session.Rotated{}, unavailable(err)
		}
		rot := session.Rotated{Family: f, InGrace: outcome == outcomeInGrace}
		copy(rot.Request[:], req)
		return rot, nil
	case outcomeInvalid:
		return session.Rotated{}, session.ErrInvalidRefresh
	case outcomeRevoked:
		return session.Rotated{}, session.ErrRevoked
	case outcomeExpired:
		return session.Rotated{}, session.ErrSessionExpired
	case outcomeReuse:
		return session.Rotated{}, session.ErrReuse
	case outcomeLate:
		return session.Rotated{}, unavailable(errors.New("the rotation reached the server after its deadline; nothing written"))
	}
	return session.Rotated{}, unavailable(fmt.Errorf("rotation script replied outcome %v", reply[0]))
}

// familyFields are the family hash fields decodeFamily reads, in order.
var familyFields = []string{"sub", "sc", "cl", "ca", "ea"}

// decodeFamily decodes the values of familyFields.
func decodeFamily(id string, v []any) (session.Family, error) {
	if len(v) != len(familyFields) {
		return session.Family{}, fmt.Errorf("family %q: %d fields, want %d", id, len(v), len(familyFields))
	}
	str := make([]string, len(v))
	for i, x := range v {
		s, ok := x.(string)
		if !ok {
			return session.Family{}, fmt.Errorf("family %q: field %s is %T, want a string", id, familyFields[i], x)
		}
		str[i] = s
	}
	f := session.Family{ID: id, Subject: str[0]}
	if err := json.Unmarshal([]byte(str[1]), &f.Scopes); err != nil {
		return session.Family{}, fmt.Errorf("family %q: scopes: %w", id, err)
	}
	if str[2] != "" {
		f.Claims = []byte(str[2])
	}
	var err error
	if f.CreatedAt, err = unixMilli(str[3]); err == nil {
		f.ExpiresAt, err = unixMilli(str[4])
	}
	if err != nil {
		return session.Family{}, fmt.Errorf("family %q: %w", id, err)
	}
	return f, nil
}

func unixMilli(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return time.UnixMilli(ms), nil
}

// Lookup implements session.Store in two round trips.
func (s *Store) Lookup(ctx context.Context, id string, h session.SecretHash) (session.Family, error) {
	e, err := s.entry(ctx, id, h)
	if err != nil {
		return session.Family{}, err
	}
	v, err := s.client.HMGet(ctx, s.familyKey(e.familyID), familyFields...).Result()
	if err != nil {
		return session.Family{}, unavailable(err)
	}
	if v[0] == nil {
		return session.Family{}, session.ErrInvalidRefresh // expired between the two reads
	}
	f, err := decodeFamily(e.familyID, v)
	if err != nil {
		return session.Family{}, unavailable(err)
	}
	return f, nil
}

// RevokeFamily implements session.Store in one round trip.
func (s *Store) RevokeFamily(ctx context.Context, familyID string) error {
	return s.revoke(ctx, familyID)
}

func (s *Store) revoke(ctx context.Context, ids ...string) error {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !validID(id) })
	err := s.pipeline(ctx, func(p redis.Pipeliner, run runner) {
		for _, id := range ids {
			run(revokeScript, s.familyKey(id))
		}
		s.announce(ctx, p, ids...)
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// RevokeSubject implements session.Store in two round trips: the
// subject's families, then one pipeline revoking them all.
func (s *Store) RevokeSubject(ctx context.Context, subject string) error {
	ids, err := s.client.ZRange(ctx, s.subjectKey(subject), 0, -1).Result()
	if err != nil {
		return unavailable(err)
	}
	return s.revoke(ctx, ids...)
}

// runner queues one script call on a pipeline.
type runner func(sc *redis.Script, key string, args ...any) *redis.Cmd

// pipeline sends the commands build queues in one round trip, calling the
// scripts by digest. If the server does not know a script, it sends them
// all again with the scripts' source: every command queued is idempotent.
func (s *Store) pipeline(ctx context.Context, build func(redis.Pipeliner, runner)) error {
	if err := s.pipelineWith(ctx, build, false); !redis.HasErrorPrefix(err, "NOSCRIPT") {
		return err
	}
	return s.pipelineWith(ctx, build, true)
}

func (s *Store) pipelineWith(ctx context.Context, build func(redis.Pipeliner, runner), bySource bool) error {
	cmds, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		build(p, func(sc *redis.Script, key string, args ...any) *redis.Cmd {
			if bySource {
				return sc.Eval(ctx, p, []string{key}, args...)
			}
			return sc.EvalSha(ctx, p, []string{key}, args...)
		})
		return nil
	})
	for _, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			return c.Err()
		}
	}
	return err
}
