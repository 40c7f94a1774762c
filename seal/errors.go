package seal

import "github.com/sealjwt/sealjwt/internal/errs"

// Sentinel errors, shared with the rest of the module so that errors.Is
// matches whichever layer reported the condition.
var (
	// ErrMalformed: the input does not have the required shape.
	ErrMalformed = errs.ErrMalformed
	// ErrUnsupported: a well-formed input asks for something not supported
	// (an unknown alg, a critical or compression header, PSK mode, ...).
	ErrUnsupported = errs.ErrUnsupported
	// ErrTooLarge: the input exceeds the size cap; nothing was parsed.
	ErrTooLarge = errs.ErrTooLarge
	// ErrUnknownKey: no key in the key set has the envelope's kid.
	ErrUnknownKey = errs.ErrUnknownKey
	// ErrDecryption: the envelope did not decrypt. It is returned unwrapped
	// and carries no detail, whatever the cause.
	ErrDecryption = errs.ErrDecryption
	// ErrInvalidKey: a key is unusable (wrong type, size, curve or alg).
	ErrInvalidKey = errs.ErrInvalidKey
)
