package token

import "time"

const (
	// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
	DefaultLeeway = 30 * time.Second
	// MaxLeeway caps WithLeeway.
	MaxLeeway = 5 * time.Minute
	// DefaultMaxLifetime is the longest exp - iat a Verifier accepts.
	DefaultMaxLifetime = time.Hour
	// defaultMaxSize is the largest token a Verifier parses. An ML-DSA-87
	// token with a few KiB of claims fits.
	defaultMaxSize = 64 << 10
	// minMaxSize is the smallest WithMaxSize.
	minMaxSize = 64
)

// VerifierOption configures a Verifier: WithLeeway, WithMaxLifetime,
// WithMaxSize, WithTutorialCompat, and the options a Signer shares
// (WithClock, WithType).
type VerifierOption interface{ applyVerifier(*Verifier) }

type verifierOption func(*Verifier)

func (f verifierOption) applyVerifier(v *Verifier) { f(v) }

// Option configures both a Signer and a Verifier: the settings the two
// ends of a token share.
type Option interface {
	SignerOption
	VerifierOption
}

// WithClock sets the clock a Signer takes iat and exp from, and a
// Verifier checks exp, nbf and iat against (default, and for nil:
// time.Now).
func WithClock(now func() time.Time) Option { return clockOption(now) }

type clockOption func() time.Time

func (c clockOption) applySigner(s *Signer)     { s.now = c }
func (c clockOption) applyVerifier(v *Verifier) { v.now = c }

// WithType sets the "typ" header a Signer writes and a Verifier requires
// (default Type): 1 to 64 bytes of printable ASCII, without quotes or
// backslashes. A Verifier compares it as RFC 7515 says: ignoring ASCII
// case, with "application/" implied, so "application/seal+jwt" is Type.
func WithType(typ string) Option { return typeOption(typ) }

type typeOption string

func (t typeOption) applySigner(s *Signer)     { s.typ = string(t) }
func (t typeOption) applyVerifier(v *Verifier) { v.typ = string(t) }

// WithLeeway sets the clock skew allowed on exp, nbf and iat: default
// DefaultLeeway (30 seconds), 0 to MaxLeeway (5 minutes).
func WithLeeway(d time.Duration) VerifierOption {
	return verifierOption(func(v *Verifier) { v.leeway = d })
}

// WithMaxLifetime sets the longest exp - iat accepted: default
// DefaultMaxLifetime (1 hour), at least 1 second.
func WithMaxLifetime(d time.Duration) VerifierOption {
	return verifierOption(func(v *Verifier) { v.maxLifetime = d })
}

// WithMaxSize sets the largest token, in bytes, that Verify will parse:
// default 64 KiB, at least 64. Larger input is refused
// before any parsing.
func WithMaxSize(n int) VerifierOption {
	return verifierOption(func(v *Verifier) { v.maxSize = n })
}

// WithTutorialCompat also accepts tokens made the way of the classic
// shared-secret tutorial: typ "JWT" or no typ; no kid, when exactly one
// key is trusted; no iss, aud, jti or iat. Those claims are still checked
// when present, and exp stays required: without iat, exp - now is bounded
// by the maximum lifetime instead. It gives up explicit typing (another
// kind of JWT signed with the same key is accepted), the audience binding
// (a token minted for another service that shares the key is accepted)
// and the token id that single use needs. Off by default.
func WithTutorialCompat() VerifierOption {
	return verifierOption(func(v *Verifier) { v.tutorial = true })
}
