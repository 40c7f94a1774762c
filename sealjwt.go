// Package sealjwt sends messages from one service to another that nobody in
// between can read or forge.
//
// A message is signed as a JWT (package token) for authenticity, then sealed
// with HPKE (package seal) to the receiver's public key for confidentiality:
// a nested JWT inside a JOSE-HPKE compact JWE, readable by any JOSE-HPKE
// implementation. A Sealer does both in one call; an Opener undoes both in
// one call, checks the audience, the issuer, the lifetime, and remembers the
// token id so that a captured envelope cannot be replayed.
package sealjwt

import (
	"errors"

	"github.com/sealjwt/sealjwt/internal/errs"
	"github.com/sealjwt/sealjwt/replay"
)

// ContentType is the protected "cty" of every envelope: the plaintext is a
// signed JWT (RFC 7519 section 5.2).
const ContentType = "JWT"

// Errors reported by Open, for errors.Is. They are the same values as the
// seal, token and replay packages report, so a caller may test either.
var (
	ErrMalformed         = errs.ErrMalformed
	ErrUnsupported       = errs.ErrUnsupported
	ErrTooLarge          = errs.ErrTooLarge
	ErrUnknownKey        = errs.ErrUnknownKey
	ErrDecryption        = errs.ErrDecryption
	ErrInvalidKey        = errs.ErrInvalidKey
	ErrSignature         = errs.ErrSignature
	ErrExpired           = errs.ErrExpired
	ErrNotYetValid       = errs.ErrNotYetValid
	ErrAudience          = errs.ErrAudience
	ErrIssuer            = errs.ErrIssuer
	ErrClaims            = errs.ErrClaims
	ErrReplayed          = errs.ErrReplayed
	ErrReplayStoreFull   = replay.ErrFull
	ErrReplayUnavailable = replay.ErrUnavailable
)

// ErrUntrustedSender is reported when the inner token's kid is no trusted
// sender's key. It is distinct from ErrUnknownKey, which means the
// envelope was sealed to a key we do not hold.
var ErrUntrustedSender = errors.New("sealjwt: signing key not trusted")
