// Package errs holds the sentinel errors shared by seal, token and the root
// package, so that errors.Is matches the same condition whichever layer
// reported it.
package errs

import "errors"

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
)
