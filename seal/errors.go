package seal

import "github.com/sealjwt/sealjwt/internal/errs"

// sentinel is the error type of the conditions this package shares with
// package token: two values of the same text are equal, so errors.Is matches
// seal.ErrMalformed and token.ErrMalformed alike.
type sentinel = errs.Sentinel

// Errors for errors.Is. The root package's sentinels of the same name are
// these values, so an error that a sealjwt.Opener reports for the envelope
// matches both seal.ErrDecryption and sealjwt.ErrDecryption.
var (
	// ErrMalformed is wrapped when an envelope, a JWE, a JWK or a JWKS does
	// not have the required shape (segment count, base64url, JSON with
	// unique members, header member types, lengths): [Open],
	// [OpenFlattened], [OpenGeneral], [ParseGeneral], [ParsePrivateJWK],
	// [ParsePublicJWK], [ParseKeySet], [ParsePublicKeySet] and the PEM
	// parsers. It equals token.ErrMalformed.
	ErrMalformed error = sentinel("sealjwt: malformed input")
	// ErrUnsupported is wrapped when a well-formed input asks for something
	// this package does not do: an unknown alg or enc, a crit, zip, jku, jwk,
	// x5u or x5c header, PSK mode ([Open] and its kin), or a key type or
	// curve no alg here uses (the key parsers, [GenerateKey]). It equals
	// token.ErrUnsupported.
	ErrUnsupported error = sentinel("sealjwt: unsupported")
	// ErrTooLarge is wrapped when an input exceeds its size cap
	// ([MaxEnvelopeSize] for [Open], the JWK and JWKS caps for the key
	// parsers); nothing was parsed. It equals token.ErrTooLarge.
	ErrTooLarge error = sentinel("sealjwt: input too large")
	// ErrUnknownKey is wrapped by [Open], [OpenFlattened] and [OpenGeneral]
	// when no key in the key set has the envelope's kid: the sender may
	// hold an old copy of the receiver's keys. It equals
	// token.ErrUnknownKey.
	ErrUnknownKey error = sentinel("sealjwt: unknown key")
	// ErrDecryption is returned by [Open], [OpenFlattened] and [OpenGeneral]
	// when the envelope does not decrypt. It is returned unwrapped and
	// carries no detail, whatever the cause.
	ErrDecryption error = sentinel("sealjwt: decryption failed")
	// ErrInvalidKey is wrapped when a key is unusable (wrong type, size,
	// curve or alg): the key constructors and parsers ([GenerateKey],
	// [NewPrivateKeyFromKeyExchanger], [ParsePrivateJWK], ...), the key-set
	// constructors (a nil key, a duplicate kid, no usable key), [Seal] and
	// [SealGeneral] for a nil, repeated or missing recipient key, and
	// [Open] for an envelope whose alg is not its key's. It equals token.ErrInvalidKey.
	ErrInvalidKey error = sentinel("sealjwt: invalid key")
)
