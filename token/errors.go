package token

import (
	"errors"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// sentinel is the error type of the conditions this package shares with
// package seal: two values of the same text are equal, so errors.Is matches
// token.ErrMalformed and seal.ErrMalformed alike.
type sentinel = errs.Sentinel

// Errors for errors.Is. Every error from parsing keys, signing and verifying
// tokens wraps one of them. The root package's sentinels of the same name
// are these values, so an error that a sealjwt.Opener reports for the inner
// token matches both token.ErrExpired and sealjwt.ErrExpired.
var (
	// ErrMalformed is wrapped when a token, a JWK or a JWKS does not have the
	// required shape (segments, base64url, JSON with unique members, claim
	// and header types): [Verifier.Verify], [VerifyJWS], [ParseSigningJWK],
	// [ParseVerifyingJWK], [ParseKeySet], [ParseVerifyingKeySet] and the PEM
	// parsers. It equals seal.ErrMalformed.
	ErrMalformed error = sentinel("sealjwt: malformed input")
	// ErrUnsupported is wrapped when a well-formed input asks for something
	// this package does not do: an unknown alg or header parameter in
	// [Verifier.Verify], a curve, key type or multi-prime RSA key in the
	// JWK and PEM parsers, an alg a crypto.Signer cannot serve in
	// [NewSigningKeyFromSigner]. It equals seal.ErrUnsupported.
	ErrUnsupported error = sentinel("sealjwt: unsupported")
	// ErrTooLarge is wrapped when a token exceeds the verifier's size cap
	// ([Verifier.Verify], [VerifyJWS]), or a JWK or JWKS its own cap (the
	// JWK and key-set parsers); nothing was parsed. It equals
	// seal.ErrTooLarge.
	ErrTooLarge error = sentinel("sealjwt: input too large")
	// ErrUnknownKey is wrapped by [Verifier.Verify] and [VerifyJWS] when no
	// trusted key has the token's kid. It equals seal.ErrUnknownKey.
	ErrUnknownKey error = sentinel("sealjwt: unknown key")
	// ErrInvalidKey is wrapped when a key is unusable (wrong type, size or
	// alg), by the key constructors and parsers ([GenerateKey],
	// [NewHMACKey], [NewHMACVerifyingKeySet], [ParseSigningJWK], ...) and the
	// key-set constructors (a nil key, a duplicate kid, no usable key). It
	// equals seal.ErrInvalidKey.
	ErrInvalidKey error = sentinel("sealjwt: invalid key")
	// ErrSignature is wrapped by [Verifier.Verify] and [VerifyJWS] when the
	// signature does not verify, or the header's alg is not the key's.
	ErrSignature = errors.New("sealjwt: signature invalid")
	// ErrExpired is wrapped by [Verifier.Verify] when exp has passed beyond
	// the leeway (or iat is older than a long-lived verifier's maximum age),
	// reported only after the signature verified; and by the PEM parsers for
	// a certificate outside its validity at [WithCertificateValidAt].
	ErrExpired = errors.New("sealjwt: token expired")
	// ErrNotYetValid is wrapped by [Verifier.Verify] when nbf or iat lies in
	// the future beyond the leeway, and by the PEM parsers for a certificate
	// not yet valid.
	ErrNotYetValid = errors.New("sealjwt: token not yet valid")
	// ErrAudience is wrapped by [Verifier.Verify] when aud is missing, empty,
	// or does not name the verifier's audience, and by [Signer.Sign] when
	// no audience is given.
	ErrAudience = errors.New("sealjwt: audience mismatch")
	// ErrIssuer is wrapped by [Verifier.Verify] when iss is missing or is not
	// the issuer the signing key was trusted for ([Verifier.Trust]).
	ErrIssuer = errors.New("sealjwt: issuer mismatch")
	// ErrClaims is wrapped when a claim is missing, of the wrong type, out
	// of range or not allowed: by [Verifier.Verify], [Verifier.VerifyOnce],
	// [Verified.Decode] and [Verified.StringClaim] on reading, by
	// [Signer.Sign] on writing.
	ErrClaims = errors.New("sealjwt: invalid claims")
	// ErrType is wrapped by [Verifier.Verify] when the token's typ is not the
	// one kind the verifier accepts ([WithType]). It wraps [ErrMalformed].
	ErrType = fmt.Errorf("%w: token of another kind", ErrMalformed)
	// ErrConfig is wrapped when a constructor is given an argument or
	// option out of range: [NewSigner], [NewVerifier], [Verifier.Trust],
	// [Verifier.ForType], [Verifier.ForLongLived], [Verifier.ForClaims],
	// [Verifier.VerifyOnce] without a store, [Verified.Claim] for a claim
	// the verifier does not read.
	ErrConfig = errors.New("sealjwt: invalid configuration")
)
