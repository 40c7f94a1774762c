package token

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// Type is the JWS "typ" of the tokens this package makes (RFC 8725
// section 3.11 explicit typing; the "application/" prefix is omitted as
// RFC 7515 section 4.1.9 recommends). A Verifier accepts only tokens of
// its type, so a sealjwt token cannot be replayed as another kind of JWT
// signed by the same key, nor the reverse.
const Type = "seal+jwt"

const (
	// DefaultLifetime is the exp - iat of tokens a Signer makes.
	DefaultLifetime = 5 * time.Minute
	// MaxSignerLifetime caps WithLifetime. Verifiers refuse lifetimes above
	// their own maximum (DefaultMaxLifetime unless configured).
	MaxSignerLifetime = 24 * time.Hour
	maxTypeLen        = 64
	maxIssuerLen      = 1024
)

// Signer makes signed tokens for one issuer with the primary key of a key
// set. It is safe for concurrent use.
type Signer struct {
	keys     *KeySet
	key      *SigningKey
	method   jwt.SigningMethod
	header   string // the encoded JOSE header segment, the same for every token
	issJSON  []byte // `{"iss":"..."` pre-encoded
	lifetime int64  // seconds
	now      func() time.Time
	typ      string
}

// SignerOption configures a Signer: WithLifetime, and the options a
// Verifier shares (WithClock, WithType).
type SignerOption interface{ applySigner(*Signer) }

type signerOption func(*Signer)

func (f signerOption) applySigner(s *Signer) { f(s) }

// WithLifetime sets exp - iat: default DefaultLifetime (5 minutes), 1
// second to MaxSignerLifetime (24 hours), in whole seconds. Keep it at or under the
// verifiers' maximum lifetime (1 hour by default).
func WithLifetime(d time.Duration) SignerOption {
	return signerOption(func(s *Signer) { s.lifetime = int64(d / time.Second) })
}

// NewSigner returns a Signer that signs as issuer with keys.Primary().
func NewSigner(keys *KeySet, issuer string, opts ...SignerOption) (*Signer, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrConfig)
	}
	s := &Signer{keys: keys, key: keys.Primary(), lifetime: int64(DefaultLifetime / time.Second), now: time.Now, typ: Type}
	for _, o := range opts {
		o.applySigner(s)
	}
	if issuer == "" || len(issuer) > maxIssuerLen {
		return nil, fmt.Errorf("%w: issuer must be 1 to %d bytes", ErrConfig, maxIssuerLen)
	}
	if s.lifetime < 1 || s.lifetime > int64(MaxSignerLifetime/time.Second) {
		return nil, fmt.Errorf("%w: WithLifetime must be 1s to %v in whole seconds, got %v", ErrConfig, MaxSignerLifetime, time.Duration(s.lifetime)*time.Second)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := checkType("WithType", s.typ); err != nil {
		return nil, err
	}
	var err error
	if s.method, err = s.key.signingMethod(); err != nil {
		return nil, err
	}
	s.header = signerHeader(s.key, s.typ)
	iss, _ := json.Marshal(issuer) // a string always marshals
	s.issJSON = append([]byte(`{"iss":`), iss...)
	return s, nil
}

// checkType accepts a typ of printable ASCII, 1 to 64 bytes; what names
// where typ came from.
func checkType(what, typ string) error {
	if typ == "" || len(typ) > maxTypeLen {
		return fmt.Errorf("%w: %s must be 1 to %d bytes, got %d", ErrConfig, what, maxTypeLen, len(typ))
	}
	for i := 0; i < len(typ); i++ {
		if typ[i] <= ' ' || typ[i] > '~' || typ[i] == '"' || typ[i] == '\\' {
			return fmt.Errorf("%w: %s must be printable ASCII without quotes or backslashes, got %q", ErrConfig, what, typ)
		}
	}
	return nil
}

// Key returns the key tokens are signed with.
func (s *Signer) Key() *SigningKey { return s.key }

// ForType returns a Signer like s (same key, issuer, lifetime and clock)
// whose tokens carry typ instead: another kind of token from the same
// sender, which a Verifier of s's type refuses (RFC 8725 section 3.11).
func (s *Signer) ForType(typ string) (*Signer, error) {
	if err := checkType("ForType", typ); err != nil {
		return nil, err
	}
	c := *s
	c.typ = typ
	c.header = signerHeader(c.key, typ)
	return &c, nil
}

// signerHeader encodes the JOSE header as golang-jwt would (a map: sorted
// keys), so that a Verifier recognises the exact bytes without parsing
// them.
func signerHeader(k *SigningKey, typ string) string {
	h, _ := json.Marshal(map[string]any{"alg": string(k.alg), "kid": k.kid, "typ": typ}) // strings always marshal
	return strict.Encode(h)
}

// Sign returns a compact JWS whose claims are iss, aud, iat, exp and jti
// (set here) and the application claims: nil, a map or a struct, encoded
// with encoding/json into one JSON object. The application may set "sub"
// (a string) and "nbf" (a NumericDate); setting iss, aud, iat, exp or jti,
// or a case variant of any registered claim, is an ErrClaims error.
//
// Options set, for this token only, what the Signer would otherwise choose
// (WithID) or add (WithStringClaim).
//
// The audience is one receiver, written as a single aud string: a token
// that names several receivers can be replayed by any one of them to the
// others, so this package makes none (a Verifier still reads an aud array
// from another stack). It is required unless WithoutAudience, which wants
// it empty. sealjwt.Sealer.Seal takes its audience the same way.
func (s *Signer) Sign(audience string, claims any, opts ...SignOption) (string, error) {
	var p signParams
	for _, o := range opts {
		o(&p)
	}
	if p.err != nil {
		return "", p.err
	}
	app, err := encodeAppClaims(claims, &p)
	if err != nil {
		return "", err
	}
	body, err := s.claimsJSON(audience, app, &p)
	if err != nil {
		return "", err
	}
	return s.sign(body)
}

// sigReserve is room for the encoded signature of the elliptic-curve and
// HMAC algs, so their tokens are built in one allocation; RSA and ML-DSA
// grow the buffer once.
const sigReserve = 128

// sign builds header.payload, has golang-jwt's method for the key's alg
// sign it, and appends the signature: the JWS compact serialization
// (RFC 7515 section 7.1) in one buffer.
func (s *Signer) sign(body []byte) (string, error) {
	enc := base64.RawURLEncoding
	b := make([]byte, 0, len(s.header)+2+enc.EncodedLen(len(body))+sigReserve)
	b = append(b, s.header...)
	b = append(b, '.')
	b = enc.AppendEncode(b, body)
	sig, err := s.method.Sign(string(b), s.key.key)
	if _, opaque := s.key.key.(*opaqueKey); err != nil && opaque {
		// The signer's own error (a KMS or token that is unreachable,
		// refuses, times out), for the caller to tell apart.
		return "", fmt.Errorf("signing with key %s: %w", s.key.kid, err)
	}
	if err != nil {
		return "", fmt.Errorf("%w: signing: %v", ErrInvalidKey, err)
	}
	b = append(b, '.')
	return string(enc.AppendEncode(b, sig)), nil
}

// claimsJSON writes the claims object: the registered claims in a fixed
// order, then the application members (app is an object's inside, or
// empty). Built by hand because it is on every Sign and its shape is fixed.
func (s *Signer) claimsJSON(audience string, app []byte, p *signParams) ([]byte, error) {
	if p.noAud != (audience == "") {
		return nil, fmt.Errorf("%w: audience must name one recipient, unless WithoutAudience (then it must be empty)", ErrAudience)
	}
	jti := p.jti
	if jti == "" {
		jti = NewID()
	}
	iat := s.now().Unix()
	b := make([]byte, 0, 128+len(s.issJSON)+len(app)+len(p.extra)+len(audience))
	b = append(b, s.issJSON...)
	if audience != "" {
		b = append(b, `,"aud":`...)
		b = appendJSONString(b, audience)
	}
	b = append(b, `,"iat":`...)
	b = strconv.AppendInt(b, iat, 10)
	if exp, ok := p.expiry(iat, s.lifetime); ok {
		b = append(b, `,"exp":`...)
		b = strconv.AppendInt(b, exp, 10)
	}
	b = append(b, `,"jti":"`...)
	b = append(b, jti...)
	b = append(b, '"')
	b = append(b, p.extra...)
	if len(app) > 0 {
		b = append(b, ',')
		b = append(b, app...)
	}
	return append(b, '}'), nil
}

// NewID returns a fresh token id: 16 random bytes, base64url (22
// characters), the jti a Signer gives every token unless told otherwise.
func NewID() string {
	var id [16]byte
	_, _ = rand.Read(id[:]) // never fails: crypto/rand aborts the process instead
	return strict.Encode(id[:])
}

// A SignOption changes one token that Sign makes.
type SignOption func(*signParams)

type signParams struct {
	jti   string
	exp   expiry
	noAud bool     // WithoutAudience
	extra []byte   // further members, each written as `,"name":value`
	names []string // their names, which the application claims may not use
	// reserved are claims the application may not set either (WithReserved).
	reserved []string
	err      error
}

// WithReserved refuses application claims named names, or equal to one of
// them ignoring case as encoding/json matches names: claims that another
// kind of token gives a meaning to, which this one must not carry.
func WithReserved(names ...string) SignOption {
	return func(p *signParams) { p.reserved = append(p.reserved, names...) }
}

// WithID sets the token's jti instead of a fresh one. A request sent again
// because the receiver refused it unprocessed keeps its id, so that a
// replay store accepts at most one of the copies. id must be 1 to 256
// base64url characters.
func WithID(id string) SignOption {
	return func(p *signParams) {
		if len(id) == 0 || len(id) > maxJTILen || !isBase64URL(id) {
			p.err = fmt.Errorf("%w: jti must be 1 to %d base64url characters", ErrClaims, maxJTILen)
		}
		p.jti = id
	}
}

// expiry is how one token's exp is chosen: the Signer's lifetime unless
// a SignOption says otherwise.
type expiry struct {
	none bool  // WithoutExpiry
	at   int64 // WithExpiresAt, Unix seconds; 0 means iat + lifetime
}

// expiry returns the exp to write, and false for a token without one.
func (p *signParams) expiry(iat, lifetime int64) (int64, bool) {
	switch {
	case p.exp.none:
		return 0, false
	case p.exp.at != 0:
		return p.exp.at, true
	}
	return iat + lifetime, true
}

// WithoutExpiry makes a token with no exp: data at rest, read for years,
// which only a Verifier from ForLongLived accepts. A message verifier
// requires exp and refuses such a token.
func WithoutExpiry() SignOption {
	return func(p *signParams) { p.exp = expiry{none: true} }
}

// WithoutAudience makes a token with no aud, for data at rest whose
// recipients are named otherwise (by their keys); Sign is then given an empty
// audience. Only a Verifier from ForLongLived accepts such a token.
func WithoutAudience() SignOption {
	return func(p *signParams) { p.noAud = true }
}

// WithExpiresAt sets the token's exp to t instead of iat plus the Signer's
// lifetime, for a long-lived token whose sealer wants it to end (the
// Signer's lifetime cap does not apply). t must fall between 1970 and 9999.
func WithExpiresAt(t time.Time) SignOption {
	return func(p *signParams) {
		if t.Unix() < 1 || t.Unix() > maxNumericDate {
			p.err = fmt.Errorf("%w: exp %v is outside 1970 to 9999", ErrClaims, t)
		}
		p.exp = expiry{at: t.Unix()}
	}
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// WithStringClaim adds the string claim name, which the application's
// claims then may not set. Registered claim names are refused.
func WithStringClaim(name, value string) SignOption {
	return func(p *signParams) { p.addClaim(name, appendJSONString(nil, value)) }
}

// WithStringsClaim is WithStringClaim for an array of strings, in order.
func WithStringsClaim(name string, values []string) SignOption {
	return func(p *signParams) {
		v, _ := json.Marshal(values) // strings always marshal
		p.addClaim(name, v)
	}
}

// addClaim appends the member name with its encoded JSON value.
func (p *signParams) addClaim(name string, value []byte) {
	if name == "" || strict.CheckNameCase(name, registeredNames, ErrClaims) != nil || slices.Contains(registeredNames, name) || slices.Contains(p.names, name) {
		p.err = fmt.Errorf("%w: claim %q cannot be added", ErrClaims, name)
		return
	}
	p.names = append(p.names, name)
	p.extra = append(p.extra, ',')
	p.extra = appendJSONString(p.extra, name)
	p.extra = append(p.extra, ':')
	p.extra = append(p.extra, value...)
}

// appendJSONString appends s as a JSON string. Plain ASCII, the common
// case, is copied as is; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// encodeAppClaims marshals the application claims and returns the inside
// of the resulting object, after checking its member names and the types
// of the registered claims an application may set.
func encodeAppClaims(v any, p *signParams) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding claims: %v", ErrClaims, err)
	}
	if string(data) == "null" {
		return nil, nil // a nil map or pointer
	}
	var w registeredRaw
	err = strict.Members(data, func(name string, value []byte) error {
		if slices.Contains(signerOwned, name) || slices.Contains(p.names, name) {
			return fmt.Errorf("%w: claim %q is set by the Signer", ErrClaims, name)
		}
		if err := strict.CheckNameCase(name, registeredNames, ErrClaims); err != nil {
			return err
		}
		if err := strict.CheckNameCase(name, p.names, ErrClaims); err != nil {
			return err
		}
		if slices.Contains(p.reserved, name) || strict.CheckNameCase(name, p.reserved, ErrClaims) != nil {
			return fmt.Errorf("%w: claim %.32q is reserved: not allowed in a token of this kind", ErrClaims, name)
		}
		return w.collect(name, value)
	})
	if errors.Is(err, ErrMalformed) {
		return nil, fmt.Errorf("%w: claims must encode as one JSON object without duplicate members", ErrClaims)
	}
	if err != nil {
		return nil, err
	}
	if err := w.checkApp(); err != nil {
		return nil, err
	}
	return data[1 : len(data)-1], nil
}

// checkApp applies the verifier's own rules to the sub and nbf an
// application set, so that a bad one fails here and not at the peer.
func (w *registeredRaw) checkApp() error {
	if w.sub != nil && string(w.sub) != "null" {
		if _, err := claimString("sub", w.sub); err != nil {
			return err
		}
	}
	_, err := parseNumericDate("nbf", w.nbf, false, 0)
	return err
}
