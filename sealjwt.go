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
