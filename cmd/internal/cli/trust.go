package cli

import (
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/token"
)

// Trusted is one sender a receiver accepts: an issuer and its keys.
type Trusted struct {
	Issuer string
	Keys   *token.VerifyingKeySet
}

// TrustFlag collects repeated --trust ISSUER=FILE flags. Each file is a
// public JWK or JWKS registered to that issuer alone. Files are read by
// Load, after parsing, so that an unreadable file is a failure (exit 1)
// and only a malformed flag is a usage error (exit 2).
type TrustFlag struct {
	issuers, paths []string
}

func (t *TrustFlag) String() string {
	if t == nil {
		return ""
	}
	return strings.Join(t.issuers, ",")
}

// Set records one ISSUER=FILE.
func (t *TrustFlag) Set(v string) error {
	issuer, path, ok := strings.Cut(v, "=")
	if !ok || issuer == "" || path == "" {
		return fmt.Errorf("want ISSUER=FILE, got %q", v)
	}
	t.issuers = append(t.issuers, issuer)
	t.paths = append(t.paths, path)
	return nil
}

// Len returns how many senders were given.
func (t *TrustFlag) Len() int { return len(t.issuers) }

// Load reads every key file.
func (t *TrustFlag) Load() ([]Trusted, error) {
	out := make([]Trusted, len(t.issuers))
	for i, path := range t.paths {
		keys, err := VerifyingKeys(path)
		if err != nil {
			return nil, err
		}
		out[i] = Trusted{Issuer: t.issuers[i], Keys: keys}
	}
	return out, nil
}
