package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt/token"
)

// Trusted is one sender a receiver accepts: an issuer and its keys.
type Trusted struct {
	Issuer string
	Keys   *token.VerifyingKeySet
}

// TrustFlag collects repeated --trust ISSUER=FILE[:ALG] flags. Each file
// is a public JWK or JWKS registered to that issuer alone; ALG names the
// algorithm of keys written without "alg", as other JOSE stacks do. Files are read by
// Load, after parsing, so that an unreadable file is a failure (exit 1)
// and only a malformed flag is a usage error (exit 2).
type TrustFlag struct {
	issuers, paths []string
	algs           []token.Alg
}

func (t *TrustFlag) String() string {
	if t == nil {
		return ""
	}
	return strings.Join(t.issuers, ",")
}

// Set records one ISSUER=FILE[:ALG]. A suffix that is not a signature
// algorithm stays part of the file name.
func (t *TrustFlag) Set(v string) error {
	issuer, path, ok := strings.Cut(v, "=")
	if !ok || issuer == "" || path == "" {
		return fmt.Errorf("want ISSUER=FILE or ISSUER=FILE:ALG, got %q", v)
	}
	var alg token.Alg
	if i := strings.LastIndexByte(path, ':'); i > 0 && slices.Contains(token.Algs(), token.Alg(path[i+1:])) {
		path, alg = path[:i], token.Alg(path[i+1:])
	}
	t.issuers = append(t.issuers, issuer)
	t.paths = append(t.paths, path)
	t.algs = append(t.algs, alg)
	return nil
}

// TrustUsage is the help text of a --trust flag naming who is trusted.
func TrustUsage(who string) string {
	return "trusted " + who + " `ISSUER=FILE[:ALG]` (public JWK, JWKS, PEM or DER key, or certificate; " +
		"ALG for keys written without \"alg\" and RSA PEM keys); repeatable"
}

// Len returns how many senders were given.
func (t *TrustFlag) Len() int { return len(t.issuers) }

// Load reads every key file.
func (t *TrustFlag) Load() ([]Trusted, error) {
	out := make([]Trusted, len(t.issuers))
	for i, path := range t.paths {
		var opts []token.JWKOption
		if t.algs[i] != "" {
			opts = append(opts, token.WithJWKAlg(t.algs[i]))
		}
		keys, err := VerifyingKeys(path, opts...)
		if err != nil {
			return nil, err
		}
		out[i] = Trusted{Issuer: t.issuers[i], Keys: keys}
	}
	return out, nil
}
