package token

import "github.com/sealjwt/sealjwt/internal/errs"

// Sentinel errors, shared with the rest of sealjwt so that errors.Is matches
// the same condition whichever layer reported it. Every error from parsing
// keys and verifying tokens wraps one of them; configuration errors wrap
// ErrConfig.
var (
	ErrMalformed   = errs.ErrMalformed   // the token or JWK does not have the required shape
	ErrUnsupported = errs.ErrUnsupported // a well-formed input asks for something we do not do
	ErrTooLarge    = errs.ErrTooLarge    // the token exceeds the size cap; nothing was parsed
	ErrUnknownKey  = errs.ErrUnknownKey  // no trusted key has the token's kid
	ErrInvalidKey  = errs.ErrInvalidKey  // a key is unusable (wrong type, size or alg)
	ErrSignature   = errs.ErrSignature   // the signature did not verify, or the alg is not the key's
	ErrExpired     = errs.ErrExpired     // exp has passed (reported only after the signature verified)
	ErrNotYetValid = errs.ErrNotYetValid // nbf or iat lies in the future beyond the leeway
	ErrAudience    = errs.ErrAudience    // aud is missing, empty, or does not name this verifier
	ErrIssuer      = errs.ErrIssuer      // iss is missing or not the issuer the key is registered to
	ErrClaims      = errs.ErrClaims      // a claim is missing, of the wrong type, or not allowed
	ErrType        = errs.ErrType        // the token's typ is not the one kind the verifier accepts; wraps ErrMalformed
	ErrConfig      = errs.ErrConfig      // NewSigner, NewVerifier or Trust was given an argument or option out of range
)
