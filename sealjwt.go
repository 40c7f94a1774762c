package sealjwt

import (
	"errors"
	"fmt"

	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// ContentType is the protected "cty" of every envelope: the plaintext is a
// signed JWT (RFC 7519 section 5.2).
const ContentType = "JWT"

// Errors for errors.Is. Each is the value of the package where the
// condition arises (seal for the envelope, token for the signed token,
// replay for the store), so an error matches the name in either package:
// an expired token inside an envelope that [Opener.Open] reports matches
// both ErrExpired and [token.ErrExpired].
var (
	// ErrMalformed is wrapped by [Opener.Open], [Opener.OpenStream] and
	// [Opener.OpenFile] when the envelope or the token in it does not have
	// the required shape, and by a stream's reader for a record of
	// impossible shape. It is [seal.ErrMalformed], equal to
	// [token.ErrMalformed].
	ErrMalformed = seal.ErrMalformed
	// ErrUnsupported is wrapped by the Open methods when a well-formed
	// envelope or token asks for something not supported (an unknown alg, a
	// critical or compression header, ...). It is [seal.ErrUnsupported],
	// equal to [token.ErrUnsupported].
	ErrUnsupported = seal.ErrUnsupported
	// ErrTooLarge is wrapped by the Open methods when the envelope or the
	// token exceeds its size cap (nothing was parsed), and by a stream's
	// reader for a record over the cap. It is [seal.ErrTooLarge], equal to
	// [token.ErrTooLarge].
	ErrTooLarge = seal.ErrTooLarge
	// ErrUnknownKey is wrapped by the Open methods when the envelope was
	// sealed to a kid the Opener's key set does not hold: the sender may
	// have an old copy of the receiver's keys, and a refetch may help. It is
	// [seal.ErrUnknownKey]. A token signed by an unknown key is
	// [ErrUntrustedSender] instead.
	ErrUnknownKey = seal.ErrUnknownKey
	// ErrDecryption is returned by the Open methods when the envelope does
	// not decrypt, and by a stream's or file's reader when a record was
	// altered, reordered, duplicated or dropped. It carries no detail. It is
	// [seal.ErrDecryption].
	ErrDecryption = seal.ErrDecryption
	// ErrInvalidKey is wrapped by [Sealer.Seal], [Sealer.SealStream] and
	// [Sealer.SealFile] without a recipient key (or with too many or
	// repeated ones), by [NewSealer] for an HS256 signer, and by
	// [NewOpener] without a key set. It is [seal.ErrInvalidKey], equal to
	// [token.ErrInvalidKey].
	ErrInvalidKey = seal.ErrInvalidKey
	// ErrSignature is wrapped by the Open methods when the inner token's
	// signature does not verify. It is [token.ErrSignature].
	ErrSignature = token.ErrSignature
	// ErrExpired is wrapped by the Open methods when the inner token's exp
	// has passed (or a file is older than [WithMaxAge]); it is reported only
	// after the signature verified. It is [token.ErrExpired].
	ErrExpired = token.ErrExpired
	// ErrNotYetValid is wrapped by the Open methods when the inner token's
	// nbf or iat lies in the future beyond the leeway. It is
	// [token.ErrNotYetValid].
	ErrNotYetValid = token.ErrNotYetValid
	// ErrAudience is wrapped by the Open methods when the inner token's aud
	// does not name the receiver. It is [token.ErrAudience].
	ErrAudience = token.ErrAudience
	// ErrIssuer is wrapped by the Open methods when the inner token's iss is
	// not the issuer its signing key is trusted for. It is [token.ErrIssuer].
	ErrIssuer = token.ErrIssuer
	// ErrClaims is wrapped by the Open methods when a claim is missing, of
	// the wrong type or not allowed, and by the Seal methods for claims that
	// cannot be signed or an empty audience. It is [token.ErrClaims]. [ErrRecipient] and
	// [ErrBinding] wrap it.
	ErrClaims = token.ErrClaims
	// ErrConfig is wrapped by [NewSealer], [NewOpener] and their options
	// when an argument or option is out of range. It is [token.ErrConfig].
	ErrConfig = token.ErrConfig
	// ErrReplayed is wrapped by [Opener.Open] and [Opener.OpenStream] when
	// the message was accepted before. It is [replay.ErrReplayed].
	ErrReplayed = replay.ErrReplayed
	// ErrReplayUnavailable is wrapped by [Opener.Open] and
	// [Opener.OpenStream] when the replay store could not tell whether the
	// message was seen before; the message is refused, and may be sent again
	// with the same id. It is [replay.ErrUnavailable] ([replay.ErrInDoubt] wraps
	// it). A full memory store is [replay.ErrFull], and a store that lost its
	// data since the message was issued is [replay.ErrReset].
	ErrReplayUnavailable = replay.ErrUnavailable
	// ErrUntrustedSender is wrapped by the Open methods when the inner
	// token's kid is no trusted sender's key, or the key is HS256 (a shared
	// secret proves no one sender). Unlike [ErrUnknownKey], no refetch of
	// the receiver's keys helps.
	ErrUntrustedSender = errors.New("sealjwt: signing key not trusted")
	// ErrRecipient is wrapped by the Open methods when a message's
	// [RecipientClaim] does not name the key that opened it: the token was
	// sealed to someone else first. It wraps [ErrClaims].
	ErrRecipient = fmt.Errorf("%w: sealed to another recipient key", ErrClaims)
	// ErrBinding is wrapped by the transport's server when a message was
	// made for another request (its method, URL or body binding). It wraps
	// [ErrClaims].
	ErrBinding = fmt.Errorf("%w: bound to another request", ErrClaims)
)
