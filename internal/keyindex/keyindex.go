// Package keyindex indexes the keys of a key set by kid, for the seal and
// token key sets alike.
package keyindex

import (
	"fmt"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// Key is a key with an RFC 7638 kid.
type Key interface {
	comparable
	KID() string
}

// ByKID maps each key's kid to it. It refuses a nil key, one that usable
// (if given) rejects, and a kid that appears twice: a lookup must never
// have two answers.
func ByKID[K Key](keys []K, usable func(K) bool) (map[string]K, error) {
	var none K
	byID := make(map[string]K, len(keys))
	for _, k := range keys {
		if k == none || usable != nil && !usable(k) {
			return nil, fmt.Errorf("%w: nil key in key set", errs.ErrInvalidKey)
		}
		if _, dup := byID[k.KID()]; dup {
			return nil, fmt.Errorf("%w: duplicate kid %q in key set", errs.ErrInvalidKey, k.KID())
		}
		byID[k.KID()] = k
	}
	return byID, nil
}
