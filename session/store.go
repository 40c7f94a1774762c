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
	// ErrStoreUnavailable: the store could not answer. Callers fail closed
	// (503 over HTTP).
	ErrStoreUnavailable = errors.New("session: store unavailable")
)

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
	Next  Refresh
	Now   time.Time // the caller's clock, so that tests and stores agree
	Grace time.Duration
	Idle  time.Duration // idle timeout: Now - last use >= Idle means expired; 0 disables
}

// Rotated is a successful Rotation's result.
type Rotated struct {
	Family Family
	// InGrace: the presented token had been consumed less than Grace ago,
	// so this successor is a sibling of the first one, not a reuse.
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
//  4. token already consumed: within Grace of its consumption, Next is
//     recorded as another successor and InGrace is set; otherwise the
//     family is revoked and ErrReuse returned;
//  5. otherwise the token is marked consumed at Now, Next is recorded,
//     the family's last use becomes Now.
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
