package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt/internal/mediatype"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// Verifier checks tokens addressed to one audience, signed by keys each
// registered to one issuer. Safe for concurrent use, including Trust.
type Verifier struct {
	audience    string
	leeway      time.Duration
	maxLifetime time.Duration
	maxSize     int
	now         func() time.Time
	typ         string
	tutorial    bool
	names       *claimNames // the claims read by name and those refused (ForClaims)
	longLived   bool        // ForLongLived: exp optional, no lifetime cap
	maxAge      time.Duration
	trust       *trustState // shared with the Verifiers ForType makes
}

// trustState holds the trusted keys.
type trustState struct {
	mu    sync.Mutex // serialises Trust
	table atomic.Pointer[keyTable]
}

// keyTable is replaced whole by Trust, so Verify reads it without locks.
type keyTable struct {
	byKID    map[string]*trustedKey
	byHeader map[string]headerKey // our Signer's exact encoded header for the key
}

// headerKey is a trusted key found by a header of the given typ.
type headerKey struct {
	tk  *trustedKey
	typ string
}

// trustedKey is the per-key state Verify needs, built once by Trust.
type trustedKey struct {
	tutorial  bool
	issuer    string
	key       *VerifyingKey
	validator *jwt.Validator
	// longLived is validator without exp required, for ForLongLived.
	longLived *jwt.Validator
}

// NewVerifier returns a Verifier for tokens whose aud contains audience,
// this receiver's own id. It trusts no key until Trust is called.
func NewVerifier(audience string, opts ...VerifierOption) (*Verifier, error) {
	v := &Verifier{audience: audience, leeway: DefaultLeeway, maxLifetime: DefaultMaxLifetime,
		maxSize: defaultMaxSize, now: time.Now, typ: Type}
	for _, o := range opts {
		o.applyVerifier(v)
	}
	switch {
	case audience == "":
		return nil, fmt.Errorf("%w: audience is required", ErrConfig)
	case v.leeway < 0 || v.leeway > MaxLeeway:
		return nil, fmt.Errorf("%w: WithLeeway must be 0 to %v, got %v", ErrConfig, MaxLeeway, v.leeway)
	case v.maxLifetime < time.Second:
		return nil, fmt.Errorf("%w: WithMaxLifetime must be at least 1s, got %v", ErrConfig, v.maxLifetime)
	case v.maxSize < minMaxSize:
		return nil, fmt.Errorf("%w: WithMaxSize must be at least %d bytes, got %d", ErrConfig, minMaxSize, v.maxSize)
	}
	if v.now == nil {
		v.now = time.Now
	}
	if err := checkType("WithType", v.typ); err != nil {
		return nil, err
	}
	v.trust = &trustState{}
	v.trust.table.Store(&keyTable{byKID: map[string]*trustedKey{}, byHeader: map[string]headerKey{}})
	return v, nil
}

// IDStore remembers token ids: replay.Store is one. Check records
// (issuer, id) until expires and fails for a pair already recorded, or
// when the store cannot tell.
type IDStore interface {
	Check(ctx context.Context, issuer, id string, expires time.Time) error
}

// issuedIDStore is an IDStore that also weighs when a token was issued
// (replay.IssuedStore): a shared store that lost its data refuses tokens
// issued before the loss.
type issuedIDStore interface {
	CheckIssued(ctx context.Context, issuer, id string, issued, expires time.Time) error
}

// VerifyOnce is Verify for a token that may be used once: after the token
// verified, it runs check (when not nil) and then records the token's
// issuer and jti in seen until this verifier stops accepting the token
// (exp plus the leeway). A token without a jti is ErrClaims; a token
// refused by check does not use up its id; an error from seen (a replay,
// or a store that cannot answer) refuses the token.
func (v *Verifier) VerifyOnce(ctx context.Context, jws string, seen IDStore, check func(*Verified) error) (*Verified, error) {
	if seen == nil {
		return nil, fmt.Errorf("%w: no store for token ids", ErrConfig)
	}
	t, err := v.Verify(jws)
	if err != nil {
		return nil, err
	}
	if t.ID == "" {
		return nil, fmt.Errorf("%w: a single-use token needs a jti", ErrClaims)
	}
	if check != nil {
		if err := check(t); err != nil {
			return nil, err
		}
	}
	if err := checkID(ctx, seen, t, t.ExpiresAt.Add(v.leeway)); err != nil {
		return nil, err
	}
	return t, nil
}

// checkID records t's id in seen until expires, through CheckIssued when
// seen has it.
func checkID(ctx context.Context, seen IDStore, t *Verified, expires time.Time) error {
	if s, ok := seen.(issuedIDStore); ok {
		return s.CheckIssued(ctx, t.Issuer, t.ID, t.IssuedAt, expires)
	}
	return seen.Check(ctx, t.Issuer, t.ID, expires)
}

// ForType returns a Verifier like v (same audience, policy and clock,
// sharing v's trusted keys: Trust on either is seen by both) that
// requires typ instead: for another kind of token from the same senders.
// A verifier made WithTutorialCompat has none: it accepts untyped tokens,
// so it cannot tell one kind from another.
func (v *Verifier) ForType(typ string) (*Verifier, error) {
	if v.tutorial {
		return nil, fmt.Errorf("%w: a verifier WithTutorialCompat accepts untyped tokens, so it cannot require a type", ErrConfig)
	}
	if err := checkType("ForType", typ); err != nil {
		return nil, err
	}
	c := *v
	c.typ = typ
	c.longLived, c.maxAge = false, 0
	return &c, nil
}

// Type returns the "typ" v requires: the one kind of token it accepts.
func (v *Verifier) Type() string { return v.typ }

// ForLongLived is ForType for tokens on data at rest, read for years:
// exp is optional (checked, with the leeway, when present), the maximum
// lifetime does not apply, and aud is optional (such a token names its
// recipients otherwise), but must name this verifier's audience when
// present. Every other check stays: typ, signature, the key's issuer, iat,
// jti present. Such tokens are meant to be
// accepted any number of times: use Verify, not VerifyOnce.
//
// maxAge, when not 0, refuses a token whose iat is more than maxAge (plus
// the leeway) before now: the reader's own limit on how old data may be.
func (v *Verifier) ForLongLived(typ string, maxAge time.Duration) (*Verifier, error) {
	if maxAge < 0 {
		return nil, fmt.Errorf("%w: max age must not be negative", ErrConfig)
	}
	c, err := v.ForType(typ)
	if err != nil {
		return nil, err
	}
	c.longLived, c.maxAge = true, maxAge
	return c, nil
}

// Trust registers keys as belonging to issuer: a token signed by one of
// them is accepted only with that iss. A kid already registered to another
// issuer is an error; registering a kid again for the same issuer replaces
// it.
func (v *Verifier) Trust(issuer string, keys *VerifyingKeySet) error {
	if issuer == "" || len(issuer) > maxIssuerLen {
		return fmt.Errorf("%w: issuer must be 1 to %d bytes", ErrConfig, maxIssuerLen)
	}
	if keys == nil {
		return fmt.Errorf("%w: nil key set", ErrConfig)
	}
	v.trust.mu.Lock()
	defer v.trust.mu.Unlock()
	old := v.trust.table.Load()
	t := &keyTable{byKID: maps.Clone(old.byKID), byHeader: maps.Clone(old.byHeader)}
	for _, k := range keys.keys {
		if prev, ok := t.byKID[k.kid]; ok && prev.issuer != issuer {
			return fmt.Errorf("%w: kid %s is already trusted for issuer %q", ErrConfig, k.kid, prev.issuer)
		}
		tk := v.newTrustedKey(issuer, k)
		t.byKID[k.kid] = tk
		t.byHeader[v.ourHeader(k)] = headerKey{tk, v.typ}
	}
	v.trust.table.Store(t)
	return nil
}

// newTrustedKey builds golang-jwt's claims validator for one key: exp,
// iat, iss (the key's issuer) and aud are checked as this package requires.
// The signing method is the key's own, never the header's.
func (v *Verifier) newTrustedKey(issuer string, k *VerifyingKey) *trustedKey {
	opts := []jwt.ParserOption{
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.now),
	}
	if v.tutorial { // optional iss and aud are checked in checkBounds
		return &trustedKey{tutorial: true, issuer: issuer, key: k, validator: jwt.NewValidator(append(opts, jwt.WithExpirationRequired())...)}
	}
	opts = append(opts, jwt.WithIssuer(issuer))
	return &trustedKey{issuer: issuer, key: k,
		validator: jwt.NewValidator(append(opts, jwt.WithExpirationRequired(), jwt.WithAudience(v.audience))...),
		longLived: jwt.NewValidator(opts...)} // aud, optional, is checked in checkBounds
}

// ourHeader is the encoded header a Signer of this package writes for k
// (golang-jwt marshals the header map with sorted keys). A token carrying
// exactly these bytes needs no header parsing of ours.
func (v *Verifier) ourHeader(k *VerifyingKey) string {
	h, _ := json.Marshal(map[string]any{"alg": string(k.alg), "kid": k.kid, "typ": v.typ})
	return strict.Encode(h)
}

// Verified is a token that passed every check.
type Verified struct {
	Issuer    string
	Subject   string
	Audience  []string
	IssuedAt  time.Time
	ExpiresAt time.Time
	NotBefore time.Time // zero if the token has no nbf
	ID        string    // jti
	KID       string    // the verifying key's kid
	Alg       Alg       // the verifying key's alg
	Payload   []byte    // the claims JSON, checked for duplicate members

	read read // the claims the Verifier reads by name (ForClaims)
}

// Decode unmarshals the claims into v (a struct pointer or a map). It
// goes through encoding/json, which matches member names ignoring case:
// a claim the application relies on for security is read with Claim.
func (t *Verified) Decode(v any) error {
	if err := json.Unmarshal(t.Payload, v); err != nil {
		return fmt.Errorf("%w: decoding claims: %v", ErrClaims, err)
	}
	return nil
}

// Verify checks a compact JWS and returns its claims. See the package
// documentation for the checks, in order. Errors wrap the package's
// sentinels; ErrExpired and the other time errors are only reported for a
// token whose signature verified.
func (v *Verifier) Verify(token string) (*Verified, error) {
	hseg, pseg, sseg, err := splitCompact(token, v.maxSize)
	if err != nil {
		return nil, err
	}
	tk, err := v.lookupHeader(hseg)
	if err != nil {
		return nil, err
	}
	// golang-jwt's own decoder tolerates what these refuse (padding, and
	// without WithStrictDecoding, spare bits), so each segment is checked
	// first; the payload is kept as Verified.Payload.
	payload, err := strict.Base64(pseg)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	c, err := tk.verify(token[:len(hseg)+1+len(pseg)], sseg, payload, v.names, v.longLived)
	if err != nil {
		return nil, v.explain(err, tk, c)
	}
	if err := v.checkBounds(tk, c); err != nil {
		return nil, err
	}
	out := &Verified{Issuer: tk.issuer, Subject: c.sub, Audience: c.aud,
		ID: c.jti, KID: tk.key.kid, Alg: tk.key.alg, Payload: payload, read: c.read}
	if c.exp != nil {
		out.ExpiresAt = c.exp.Time
	}
	if c.iat != nil {
		out.IssuedAt = c.iat.Time
	}
	if c.nbf != nil {
		out.NotBefore = c.nbf.Time
	}
	return out, nil
}

// checkBounds checks the lifetime, and under WithTutorialCompat the
// optional iss and aud that golang-jwt's validator was not asked to check.
func (v *Verifier) checkBounds(tk *trustedKey, c *claims) error {
	if tk.tutorial {
		if c.iss != "" && c.iss != tk.issuer {
			return fmt.Errorf("%w: iss %.64q, want %q", ErrIssuer, c.iss, tk.issuer)
		}
		if c.aud != nil && !slices.Contains(c.aud, v.audience) {
			return fmt.Errorf("%w: aud does not name %q", ErrAudience, v.audience)
		}
	}
	if v.longLived {
		if c.aud != nil && !slices.Contains(c.aud, v.audience) {
			return fmt.Errorf("%w: aud %.200q does not name %q", ErrAudience, []string(c.aud), v.audience)
		}
		if age := v.now().Sub(c.iat.Time); v.maxAge > 0 && age > v.maxAge+v.leeway {
			return fmt.Errorf("%w: iat %s is %v ago, over the maximum age of %v", ErrExpired, c.iat.UTC().Format(time.RFC3339), age.Round(time.Second), v.maxAge)
		}
		return nil
	}
	start, what := v.now(), "exp - now"
	if c.iat != nil {
		start, what = c.iat.Time, "exp - iat"
	}
	if lifetime := c.exp.Sub(start); (c.iat != nil && lifetime < 0) || lifetime > v.maxLifetime {
		return fmt.Errorf("%w: lifetime %s of %v is outside 0 to %v", ErrClaims, what, lifetime, v.maxLifetime)
	}
	return nil
}

// verify checks the signature with golang-jwt's method for the key's alg,
// and only then decodes and validates the claims: a token that is both
// forged and expired is reported as forged.
func (tk *trustedKey) verify(signingInput, sigSeg string, payload []byte, names *claimNames, longLived bool) (*claims, error) {
	if err := tk.key.verifySignature(signingInput, sigSeg); err != nil {
		return nil, err
	}
	c := claims{tutorial: tk.tutorial, names: names, longLived: longLived}
	if err := c.decode(payload); err != nil {
		return nil, err
	}
	validator := tk.validator
	if longLived {
		validator = tk.longLived
	}
	if err := validator.Validate(&c); err != nil {
		return &c, mapError(err, &c)
	}
	return &c, nil
}

// explain replaces golang-jwt's wording of a time, audience or issuer
// refusal by what was expected and what the token holds; c is nil, and err
// returned as is, when the token did not get that far.
func (v *Verifier) explain(err error, tk *trustedKey, c *claims) error {
	if c == nil || c.err != nil {
		return err
	}
	now, stamp := v.now(), func(d *jwt.NumericDate) string {
		if d == nil {
			return "absent"
		}
		return d.UTC().Format(time.RFC3339)
	}
	switch {
	case errors.Is(err, ErrExpired):
		return fmt.Errorf("%w: exp %s, now %s, leeway %v", ErrExpired, stamp(c.exp), now.UTC().Format(time.RFC3339), v.leeway)
	case errors.Is(err, ErrNotYetValid):
		return fmt.Errorf("%w: nbf %s, iat %s, now %s, leeway %v", ErrNotYetValid, stamp(c.nbf), stamp(c.iat), now.UTC().Format(time.RFC3339), v.leeway)
	case errors.Is(err, ErrAudience):
		return fmt.Errorf("%w: aud %.200q does not name %q", ErrAudience, []string(c.aud), v.audience)
	case errors.Is(err, ErrIssuer):
		return fmt.Errorf("%w: iss %.100q, but key %.64q is trusted for %q", ErrIssuer, c.iss, tk.key.kid, tk.issuer)
	}
	return err
}

// splitCompact checks a compact JWS's size and returns its three segments.
func splitCompact(jws string, maxSize int) (hseg, pseg, sseg string, err error) {
	if len(jws) > maxSize {
		return "", "", "", fmt.Errorf("%w: JWS of %d bytes exceeds %d", ErrTooLarge, len(jws), maxSize)
	}
	var seg [3]string
	if strict.Split(jws, seg[:]) != len(seg) {
		return "", "", "", fmt.Errorf("%w: a JWS has exactly three segments", ErrMalformed)
	}
	return seg[0], seg[1], seg[2], nil
}

// verifySignature checks a strictly decoded signature over signingInput
// with golang-jwt's method for the key's alg.
func (k *VerifyingKey) verifySignature(signingInput, sigSeg string) error {
	sig, err := strict.Base64(sigSeg)
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	if err := k.method.Verify(signingInput, sig, k.key); err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return nil
}

// lookupHeader returns the trusted key a header selects. The header is
// parsed only if it is not byte for byte one our Signer writes.
func (v *Verifier) lookupHeader(seg string) (*trustedKey, error) {
	t := v.trust.table.Load()
	if hk, ok := t.byHeader[seg]; ok && hk.typ == v.typ {
		return hk.tk, nil
	}
	h, err := parseHeader(seg, v.tutorial)
	if err != nil {
		return nil, err
	}
	tk, err := t.lookup(h.kid)
	if err != nil {
		return nil, err
	}
	// The key, not the header, decides the algorithm. This refuses "none"
	// in any case and every cross-family confusion (RS256 -> HS256 ...).
	if h.alg != string(tk.key.alg) && !(tk.key.alg == EdDSA && h.alg == string(ed25519Alg)) {
		return nil, fmt.Errorf("%w: header alg %.32q is not %s, the alg of key %s", ErrSignature, h.alg, tk.key.alg, h.kid)
	}
	if !mediatype.Equal(h.typ, v.typ) && !(v.tutorial && (h.typ == "" || mediatype.Equal(h.typ, "JWT"))) {
		return nil, fmt.Errorf("%w: typ %.64q, want %q", ErrType, h.typ, v.typ)
	}
	return tk, nil
}

// lookup returns the key of kid. An empty kid, which only
// WithTutorialCompat lets through, selects the single trusted key.
func (t *keyTable) lookup(kid string) (*trustedKey, error) {
	if kid == "" {
		if len(t.byKID) != 1 {
			return nil, fmt.Errorf("%w: header has no kid and %d keys are trusted", ErrUnknownKey, len(t.byKID))
		}
		for _, tk := range t.byKID {
			return tk, nil
		}
	}
	tk, ok := t.byKID[kid]
	if !ok {
		return nil, fmt.Errorf("%w: no trusted key has kid %.64q", ErrUnknownKey, kid)
	}
	return tk, nil
}

// mapError turns a golang-jwt error into one wrapping our sentinels. The
// claims' own strict decoding error wins; time errors can only come from
// the validator, which golang-jwt runs after the signature verified.
func mapError(err error, c *claims) error {
	if c.err != nil {
		return c.err
	}
	for _, m := range []struct{ from, to error }{
		{jwt.ErrTokenSignatureInvalid, ErrSignature},
		{jwt.ErrTokenMalformed, ErrMalformed},
		{jwt.ErrTokenUnverifiable, ErrUnsupported},
		{jwt.ErrTokenInvalidIssuer, ErrIssuer},
		{jwt.ErrTokenInvalidAudience, ErrAudience},
		{jwt.ErrTokenUsedBeforeIssued, ErrNotYetValid},
		{jwt.ErrTokenNotValidYet, ErrNotYetValid},
		{jwt.ErrTokenExpired, ErrExpired},
	} {
		if errors.Is(err, m.from) {
			return fmt.Errorf("%w: %v", m.to, err)
		}
	}
	return fmt.Errorf("%w: %v", ErrClaims, err)
}
