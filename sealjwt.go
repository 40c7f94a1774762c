// Package sealjwt sends messages from one service to another that nobody in
// between can read or forge.
//
// A message is signed as a JWT (package token) for authenticity, then sealed
// with HPKE (package seal) to the receiver's public key for confidentiality:
// a nested JWT inside a JOSE-HPKE compact JWE, readable by any JOSE-HPKE
// implementation. A Sealer does both in one call; an Opener undoes both in
// one call, checks the audience, the issuer, the lifetime, and remembers the
// token id so that a captured envelope cannot be replayed.
//
// Beneath them is the low-level layer the transport is built on, public so
// that other protocols can be built the same way: SealContext and
// OpenContext seal and open an envelope of a kind of its own (RequestType)
// and also hand out its HPKE context, from which both ends derive the same
// keys (seal.Context.Export, under labels of their own) for data that
// travels with the envelope, as crypto/hpke's Sender and Recipient export
// theirs. OpenContext checks what Open checks, but not what the message is
// bound to: its caller applies its own binding checks.
package sealjwt

import (
	"github.com/sealjwt/sealjwt/internal/errs"
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
	ErrReplayStoreFull   = errs.ErrReplayStoreFull
	ErrReplayUnavailable = errs.ErrReplayUnavailable
	ErrReplayInDoubt     = errs.ErrReplayInDoubt
	ErrReplayStoreReset  = errs.ErrReplayStoreReset
	// ErrConfig is wrapped by every constructor error that is not about a
	// key (ErrInvalidKey).
	ErrConfig = errs.ErrConfig
	// ErrUntrustedSender is reported when the inner token's kid is no
	// trusted sender's key. It is distinct from ErrUnknownKey, which means
	// the envelope was sealed to a key we do not hold.
	ErrUntrustedSender = errs.ErrUntrustedSender
	// ErrRecipient is wrapped when a message's RecipientClaim does not name
	// the key that opened it: the token was sealed to someone else first.
	// It wraps ErrClaims.
	ErrRecipient = errs.ErrRecipient
	// ErrBinding is wrapped when a message was made for another request
	// (the transport's method, URL or body binding). It wraps ErrClaims.
	ErrBinding = errs.ErrBinding
)
