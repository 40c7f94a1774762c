package keyindex

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// unusableError marks a key a reader cannot use but may pass over in a
// published key set (RFC 7517 section 5): a key of another use, an unknown
// kty or alg, an unsupported curve, a size out of range. A malformed key
// is not one of these: it makes the whole set suspect.
type unusableError struct{ err error }

func (e unusableError) Error() string { return e.err.Error() }
func (e unusableError) Unwrap() error { return e.err }

// Unusable marks err as the refusal of a key that a published key set may
// skip. It returns nil for nil.
func Unusable(err error) error {
	if err == nil {
		return nil
	}
	return unusableError{err}
}

// IsUnusable reports whether err was marked by Unusable.
func IsUnusable(err error) bool {
	var u unusableError
	return errors.As(err, &u)
}

// ParsePublished parses each key of a published key set with parse,
// skipping the keys parse marks Unusable and naming each one it skipped.
// Any other error fails the whole set, and so does a set in which no key
// is usable.
func ParsePublished[K any](raws []json.RawMessage, parse func([]byte) (K, error)) (keys []K, skipped []error, err error) {
	for i, raw := range raws {
		k, err := parse(raw)
		switch {
		case err == nil:
			keys = append(keys, k)
		case IsUnusable(err):
			skipped = append(skipped, fmt.Errorf("JWKS key %d%s skipped: %w", i, kidOf(raw), err))
		default:
			return nil, nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
	}
	if len(keys) == 0 {
		return nil, nil, fmt.Errorf("%w: no usable key in the JWKS (%w)", errs.ErrInvalidKey, errors.Join(skipped...))
	}
	return keys, skipped, nil
}

// kidOf names a skipped key by its kid, if it has a short one, so that a
// log line says which key of the set was left out.
func kidOf(raw []byte) string {
	var m struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &m) != nil || m.Kid == "" || len(m.Kid) > 64 {
		return ""
	}
	return fmt.Sprintf(" (kid %q)", m.Kid)
}
