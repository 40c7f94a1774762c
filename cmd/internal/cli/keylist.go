package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/seal"
)

// PathsFlag is a repeatable flag of file paths (--key A --key B).
type PathsFlag []string

func (p *PathsFlag) String() string { return strings.Join(*p, ",") }

// Set adds one path.
func (p *PathsFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty path")
	}
	*p = append(*p, v)
	return nil
}

// SealKeysFrom reads every path (each a private JWK or JWKS, as SealKeys
// reads) into one key set: the first file's primary key is the primary,
// and a kid given twice is an error rather than one key silently winning.
func SealKeysFrom(paths []string) (*seal.KeySet, error) {
	if len(paths) == 0 {
		return nil, Usagef("a key file is required")
	}
	var keys []*seal.PrivateKey
	for _, p := range paths {
		set, err := SealKeys(p)
		if err != nil {
			return nil, err
		}
		keys = append(keys, set.Keys()...)
	}
	set, err := seal.NewKeySet(keys[0], keys[1:]...)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", strings.Join(paths, ", "), err)
	}
	return set, nil
}

// SealRecipients reads the keys a file is sealed to: the primary key of
// each of to (a JWK or JWKS each, as SealPublicKeys reads), then every key
// of each of toFiles (a JWKS of recipients), in order.
func SealRecipients(to, toFiles []string) ([]*seal.PublicKey, error) {
	var out []*seal.PublicKey
	for _, p := range to {
		set, err := SealPublicKeys(p)
		if err != nil {
			return nil, err
		}
		out = append(out, set.Primary())
	}
	for _, p := range toFiles {
		set, err := SealPublicKeys(p)
		if err != nil {
			return nil, err
		}
		out = append(out, set.Keys()...)
	}
	return out, nil
}

// maxAgeDays keeps a --max-age in days within time.Duration: a century.
const maxAgeDays = 36525

// ParseAge reads a duration that may also be given in days ("90d"), for
// ages of data kept for months or years.
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 32)
		if err != nil || n == 0 || n > maxAgeDays {
			return 0, Usagef("--max-age %q: want a whole number of days (90d) or a duration (36h)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, Usagef("--max-age %q: want a whole number of days (90d) or a duration (36h)", s)
	}
	return d, nil
}
