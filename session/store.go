package session

import (
	"context"
	"errors"
	"time"
)

// Errors a Store reports. The Manager and the HTTP handlers map them to
// outcomes; a Store wraps them with %w and adds no secret to the message.
var (
	// ErrInvalidRefresh: no refresh token with that id, or the secret does
	// not match. No state changed.
	ErrInvalidRefresh = errors.New("session: invalid refresh token")
	// ErrReuse: a refresh token that was already consumed was presented
	// again outside the grace window. The whole family is now revoked
	// (RFC 9700 §4.14.2).
	ErrReuse = errors.New("session: refresh token reused; family revoked")
	// ErrRevoked: the family was revoked (logout, reuse, revoke-all).
	ErrRevoked = errors.New("session: session revoked")
	// ErrSessionExpired: the family passed its absolute lifetime or sat idle
	// longer than the idle timeout.
	ErrSessionExpired = errors.New("session: session expired")
	// ErrStoreUnavailable: the store could not answer, or not before the
	// deadline. Callers fail closed (503 over HTTP, with Retry-After); a
	// rotation that timed out was not committed, so the same refresh token
	// may be presented again.
	ErrStoreUnavailable = errors.New("session: store unavailable")
	// ErrStoreReset: the token is unknown to a store that has lost its data
	// (a Redis restart without persistence, a flush), within a week of the
	// loss. No state changed; the client must log in again. Stores return
	// it wrapped together with ErrInvalidRefresh (400 invalid_grant over
	// HTTP), and the Observer reports it apart (reason
	// store_lost), so that the loss shows in logs and metrics
	// instead of passing for thousands of bad tokens.
	ErrStoreReset = errors.New("session: the session store lost its data; log in again")
)

// Bounds on what one account can make a store keep.
const (
	// KeptConsumed is how many consumed refresh tokens a family remembers,
	// the latest ones, for the grace window and for reuse detection: a
	// token consumed further back is unknown (ErrInvalidRefresh), which
	// gives a thief nothing either and revokes nothing.
	KeptConsumed = 8
	// DefaultMaxFamiliesPerSubject is how many families (sessions, live or
	// revoked) a store keeps per subject unless configured otherwise. A
	// login beyond it forgets the subject's oldest family, ending that
	// session: a new login is never refused for it.
	DefaultMaxFamiliesPerSubject = 32
)

// RequestID names one rotation request: random, drawn once per request
// and the same in every re-send of its store command, so that a store
// recognises a command its client library sent twice. The zero value
// names no request and matches nothing.
type RequestID [16]byte

// SecretHash is the SHA-256 digest of a refresh token's 256-bit secret.
// Stores keep only this, never the secret.
type SecretHash [32]byte

// Family is one login: the chain of refresh tokens issued from it.
type Family struct {
	ID        string    // 128-bit random, base64url
	Subject   string    // the authenticated subject
	Scopes    []string  // granted at login, carried into every access token
	Claims    []byte    // the application's own claims at login: a JSON object, or nil
	CreatedAt time.Time // login time
	ExpiresAt time.Time // CreatedAt + absolute lifetime; no refresh after it
}

// Refresh is the stored half of one refresh token: its public id and the
// hash of its secret.
type Refresh struct {
	ID       string // 128-bit random, base64url; the "<id>" of "<id>.<secret>"
	FamilyID string
	Hash     SecretHash
	IssuedAt time.Time
}

// Rotation asks a Store to consume one refresh token and record its
// successor, atomically.
type Rotation struct {
	ID   string     // the presented token's id
	Hash SecretHash // hash of the presented secret
	// Next is the successor. Its FamilyID is not consulted: the caller
	// knows only the presented token, and the successor joins its family.
	Next Refresh
	// Request is this request's id (see RequestID). The Manager derives
	// Next from the presented secret and Request, so that the rotation's
	// Request alone lets it hand out the same successor again.
	Request RequestID
	// Now is the caller's clock. A shared store decides at the later of
	// Now and its own clock at commit (Redis TIME, PostgreSQL
	// clock_timestamp()): a command delayed in flight is timed when it
	// runs, not when it was sent; tests run ahead of the wall clock.
	Now   time.Time
	Grace time.Duration
	Idle  time.Duration // idle timeout: Now - last use >= Idle means expired; 0 disables
	// Deadline, if set, is when the caller stops waiting: a store whose
	// clock has passed it when the command runs commits nothing and
	// returns ErrStoreUnavailable, so that a rotation the caller answered
	// with 503 never consumes the token behind its back.
	Deadline time.Time
	// UnansweredFirst and UnansweredLast, if not zero, are a run of
	// earlier presentations of the same token whose store calls got no
	// answer (the store paused, its connections all busy), on the
	// caller's clock (as Now), each within Grace of the one before. See
	// rule 4 of Store: they count as grace retries the store saw itself.
	UnansweredFirst, UnansweredLast time.Time
}

// Rotated is a successful Rotation's result.
type Rotated struct {
	Family Family
	// Request is the RequestID of the rotation that consumed the token:
	// the caller's own on a first use or a re-send of the same command,
	// the first request's within the grace window. The caller derives the
	// successor from it, so every answer for one token names one successor.
	Request RequestID
	// InGrace: the presented token had been consumed less than Grace ago
	// by another request; nothing new was recorded and Request is that
	// request's, so the caller hands out the same successor again.
	InGrace bool
}

// Store keeps refresh-token families. Every method is safe for
// concurrent use, across processes for the shared stores.
//
// Rotate decides, atomically with respect to every other call on the
// same family, in this order:
//  1. unknown id, or a hash that differs: ErrInvalidRefresh, no state
//     change (hashes are compared in constant time where the comparison
//     runs in Go);
//  2. family revoked: ErrRevoked;
//  3. Now >= ExpiresAt, or Now - last use >= Idle: ErrSessionExpired;
//  4. token already consumed: by the same Request (a re-send), the first
//     answer again, changing nothing; within Grace of its consumption,
//     InGrace and the consuming Request, recording nothing but the
//     family's last use and, while its successor is unused (it is the
//     family's latest consumed token), Now as its consumption time, so
//     that a client whose answers keep getting lost keeps its window
//     (while it is unused, if UnansweredFirst lies within Grace of the
//     consumption, the window runs from UnansweredLast: a client whose
//     retries could not reach the store for longer than Grace is not a
//     thief, while a run that starts after the window closed is still a
//     reuse; a shared store shifts both times by its decision time less
//     Now, which can only make the run start later);
//     otherwise, past Deadline by the store's clock, ErrStoreUnavailable
//     and no change (the caller gave up and answered 503: a verdict it
//     cannot deliver must not revoke); otherwise the family is revoked
//     and ErrReuse returned;
//  5. past Deadline by the store's clock: ErrStoreUnavailable, no change;
//  6. otherwise the token is marked consumed at Now by Request, Next is
//     recorded, the family's last use becomes Now, and consumed tokens
//     beyond the family's latest KeptConsumed are forgotten.
//
// Create keeps at most a configured number of families per subject
// (DefaultMaxFamiliesPerSubject unless the store says otherwise),
// forgetting the oldest, so that one account can fill no store.
//
// A store that cannot reach its backend returns an error wrapping
// ErrStoreUnavailable, never a success.
type Store interface {
	// Create starts a family with its first refresh token.
	Create(ctx context.Context, f Family, first Refresh) error
	// Rotate consumes a refresh token and records its successor.
	Rotate(ctx context.Context, r Rotation) (Rotated, error)
	// RevokeFamily revokes one family (logout). Unknown ids are not an
	// error: the outcome is the same.
	RevokeFamily(ctx context.Context, familyID string) error
	// RevokeSubject revokes every family of a subject (after a password
	// change).
	RevokeSubject(ctx context.Context, subject string) error
	// Lookup returns the family of a refresh token whose id and hash match,
	// consumed or not, without changing state: for logout by refresh token.
	// ErrInvalidRefresh otherwise.
	Lookup(ctx context.Context, id string, h SecretHash) (Family, error)
}

// Abandoner is implemented by stores that can take back a rotation whose
// answer its caller never received: the caller gave up at its deadline
// (and answered 503), then the store's answer came, saying the rotation
// committed. Abandon undoes it, so that the client presenting the same
// token again is not taken for a thief even without a grace window.
type Abandoner interface {
	// Abandon makes r.ID live again and forgets r.Next, if r.ID was
	// consumed by r.Request and r.Next has not been presented since, the
	// family not revoked; otherwise it changes nothing. It returns an
	// error only when the store could not answer.
	Abandon(ctx context.Context, r Rotation) error
}
