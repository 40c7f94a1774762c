// Package errs declares the conditions that more than one package reports:
// seal and token (which know nothing of each other), the root package, and
// the internal helpers they share (strict decoding, PEM, key indexes,
// record streams).
//
// Each is a Sentinel, an error that equals every other Sentinel of the same
// text. A public package declares its own value with its own doc comment,
// and errors.Is matches it against an error raised in any layer, because
// the values compare equal; go doc then shows the text of the error, not a
// name in this package. TestSharedSentinelsMatch in the root package checks
// that every public declaration has the same text as the value here.
package errs

// Sentinel is a comparable error value: two Sentinels with the same text are
// the same error for == and errors.Is.
type Sentinel string

func (e Sentinel) Error() string { return string(e) }

// Case is one case of a Sentinel: it is matched by errors.Is as itself (any
// Case with the same fields) and as Of.
type Case struct {
	Of   Sentinel
	What string
}

func (e Case) Error() string { return string(e.Of) + ": " + e.What }

// Unwrap returns the wider condition.
func (e Case) Unwrap() error { return e.Of }

// The shared conditions.
const (
	// ErrMalformed: the input does not have the required shape.
	ErrMalformed = Sentinel("sealjwt: malformed input")
	// ErrUnsupported: a well-formed input asks for something we do not do.
	ErrUnsupported = Sentinel("sealjwt: unsupported")
	// ErrTooLarge: the input exceeds a size limit; nothing was parsed.
	ErrTooLarge = Sentinel("sealjwt: input too large")
	// ErrUnknownKey: no key with that kid is known.
	ErrUnknownKey = Sentinel("sealjwt: unknown key")
	// ErrDecryption: the envelope or a record did not decrypt. Deliberately
	// opaque.
	ErrDecryption = Sentinel("sealjwt: decryption failed")
	// ErrInvalidKey: a key is unusable (wrong type, size or algorithm).
	ErrInvalidKey = Sentinel("sealjwt: invalid key")
	// ErrTruncated: a record stream ended before its final record.
	ErrTruncated = Sentinel("sealjwt: stream truncated before the final record")
)

// ErrTrailingData: bytes follow a record stream's final record.
var ErrTrailingData = Case{Of: ErrMalformed, What: "data after the final record"}
