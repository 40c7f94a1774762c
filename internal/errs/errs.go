// Package errs declares the sentinel errors of the module, each once; seal,
// token, replay and the root package re-export them, so that errors.Is matches the same condition whichever layer
// reported it.
package errs

import (
	"errors"
	"fmt"
)

var (
	// ErrMalformed: the input does not have the required shape.
	ErrMalformed = errors.New("sealjwt: malformed input")
	// ErrUnsupported: a well-formed input asks for something we do not do.
	ErrUnsupported = errors.New("sealjwt: unsupported")
	// ErrTooLarge: the input exceeds a size limit; nothing was parsed.
	ErrTooLarge = errors.New("sealjwt: input too large")
	// ErrUnknownKey: no key with that kid is known.
	ErrUnknownKey = errors.New("sealjwt: unknown key")
	// ErrDecryption: the envelope did not decrypt. Deliberately opaque.
	ErrDecryption = errors.New("sealjwt: decryption failed")
	// ErrInvalidKey: a key is unusable (wrong type, size or algorithm).
	ErrInvalidKey = errors.New("sealjwt: invalid key")
	// ErrSignature: the signature did not verify.
	ErrSignature = errors.New("sealjwt: signature invalid")
	// ErrExpired: the token's exp has passed (reported only after the
	// signature verified).
	ErrExpired = errors.New("sealjwt: token expired")
	// ErrNotYetValid: nbf or iat lies in the future.
	ErrNotYetValid = errors.New("sealjwt: token not yet valid")
	// ErrAudience: aud does not name this receiver.
	ErrAudience = errors.New("sealjwt: audience mismatch")
	// ErrIssuer: iss is missing or not the issuer the key is registered to.
	ErrIssuer = errors.New("sealjwt: issuer mismatch")
	// ErrClaims: a required claim is missing or of the wrong type.
	ErrClaims = errors.New("sealjwt: invalid claims")
	// ErrReplayed: this (iss, jti) was seen before.
	ErrReplayed = errors.New("sealjwt: message replayed")
	// ErrReplayStoreFull: a memory replay store holds only live entries,
	// so a new pair is refused rather than forgetting one of them.
	ErrReplayStoreFull = errors.New("replay: store full of live entries")
	// ErrReplayUnavailable: a replay store's backend could not answer,
	// so the message is refused.
	ErrReplayUnavailable = errors.New("replay: store unavailable")
	// ErrReplayInDoubt: another check holds the pair and may still give it
	// back (its receiver gave up before hearing the store's answer); it
	// wraps ErrReplayUnavailable, so it is a 503 and the same jti may be
	// sent again.
	ErrReplayInDoubt = fmt.Errorf("%w: pair held by a check still in doubt", ErrReplayUnavailable)
	// ErrReplayStoreReset: the replay store lost its data since the
	// message was issued, so it cannot tell whether the message was
	// accepted before; messages issued before the loss are refused until
	// they expire.
	ErrReplayStoreReset = errors.New("replay: message issued before the store lost its data")
	// ErrConfig: a constructor's argument or option is out of range.
	ErrConfig = errors.New("sealjwt: invalid configuration")
	// ErrUntrustedSender: the inner token's kid is no trusted sender's
	// key; unlike ErrUnknownKey, no refetch of the receiver's keys helps.
	ErrUntrustedSender = errors.New("sealjwt: signing key not trusted")
	// ErrRecipient: the message names another recipient key than the one
	// that opened it.
	ErrRecipient = fmt.Errorf("%w: sealed to another recipient key", ErrClaims)
	// ErrBinding: the message was made for another request.
	ErrBinding = fmt.Errorf("%w: bound to another request", ErrClaims)
	// ErrType: the token is of another kind (its typ is not the one the
	// verifier accepts).
	ErrType = fmt.Errorf("%w: token of another kind", ErrMalformed)
)
