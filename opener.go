package sealjwt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sealjwt/sealjwt/internal/mediatype"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// An Opener opens envelopes sealed to its keys and verifies the signed
// message inside: the sender must be trusted, the audience must name this
// receiver, the lifetime must be current and bounded, and the token id must
// not have been seen before. It is safe for concurrent use.
type Opener struct {
	id             string
	keys           *seal.KeySet
	verifier       *token.Verifier
	streamVerifier *token.Verifier // the same policy, typ StreamType
	replay         replay.Store
	sealOpts       []seal.Option
	maxEnvelope    int
	observer       Observer
}

// OpenerOption configures an Opener.
type OpenerOption func(*openerConfig)

type openerConfig struct {
	trusted    []trustedSender
	verifyOpts []token.VerifierOption
	replay     replay.Store
	maxSize    int
	observer   Observer
}

type trustedSender struct {
	issuer string
	keys   *token.VerifyingKeySet
}

// WithTrustedSender accepts messages signed by issuer with one of keys.
// Each key is registered to that issuer alone: a message whose iss names
// anyone else is refused.
func WithTrustedSender(issuer string, keys *token.VerifyingKeySet) OpenerOption {
	return func(c *openerConfig) { c.trusted = append(c.trusted, trustedSender{issuer, keys}) }
}

// WithReplayStore sets where token ids are remembered (default: an
// in-memory store, right for a single receiver process; use a shared store
// such as replay/redisstore for a fleet).
func WithReplayStore(s replay.Store) OpenerOption {
	return func(c *openerConfig) { c.replay = s }
}

// WithLeeway sets the allowed clock skew (default 30s, at most 5m).
func WithLeeway(d time.Duration) OpenerOption {
	return func(c *openerConfig) { c.verifyOpts = append(c.verifyOpts, token.WithLeeway(d)) }
}

// WithMaxLifetime caps exp - iat of accepted messages (default 1h).
func WithMaxLifetime(d time.Duration) OpenerOption {
	return func(c *openerConfig) { c.verifyOpts = append(c.verifyOpts, token.WithMaxLifetime(d)) }
}

// WithClock sets the clock used to check exp, nbf and iat (tests).
func WithClock(now func() time.Time) OpenerOption {
	return func(c *openerConfig) { c.verifyOpts = append(c.verifyOpts, token.WithClock(now)) }
}

// WithMaxSize caps the envelope length in bytes, checked before parsing
// (default seal.DefaultMaxSize).
func WithMaxSize(n int) OpenerOption {
	return func(c *openerConfig) { c.maxSize = n }
}

// NewOpener returns an Opener for the receiver named id (the audience its
// senders must use) holding keys.
func NewOpener(id string, keys *seal.KeySet, opts ...OpenerOption) (*Opener, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: receiver id is required", ErrConfig)
	}
	if keys == nil {
		return nil, fmt.Errorf("%w: no key set", ErrInvalidKey)
	}
	var c openerConfig
	for _, o := range opts {
		o(&c)
	}
	if len(c.trusted) == 0 {
		return nil, fmt.Errorf("%w: at least one trusted sender is required", ErrConfig)
	}
	for _, t := range c.trusted {
		if err := refuseSharedSecret(t); err != nil {
			return nil, err
		}
	}
	v, err := newVerifier(id, c.trusted, c.verifyOpts)
	if err != nil {
		return nil, err
	}
	sv, err := newVerifier(id, c.trusted, streamVerifierOptions(c.verifyOpts))
	if err != nil {
		return nil, err
	}
	o := &Opener{id: id, keys: keys, verifier: v, streamVerifier: sv, replay: c.replay, maxEnvelope: seal.DefaultMaxSize, observer: c.observer}
	if o.replay == nil {
		o.replay = replay.NewMemory()
	}
	if c.maxSize > 0 {
		o.sealOpts = append(o.sealOpts, seal.WithMaxSize(c.maxSize))
		o.maxEnvelope = c.maxSize
	}
	return o, nil
}

// newVerifier returns a verifier for audience id that trusts senders.
func newVerifier(id string, senders []trustedSender, opts []token.VerifierOption) (*token.Verifier, error) {
	v, err := token.NewVerifier(id, opts...)
	if err != nil {
		return nil, err
	}
	for _, t := range senders {
		if err := v.Trust(t.issuer, t.keys); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// refuseSharedSecret refuses an HS256 key for a sealed sender: whoever
// verifies with a shared secret can also sign with it, so it cannot name a
// sender. HS256 belongs to the signed-only mode.
func refuseSharedSecret(t trustedSender) error {
	if t.keys == nil {
		return nil // token.Verifier.Trust reports it
	}
	for _, k := range t.keys.Keys() {
		if k.Alg() == token.HS256 {
			return fmt.Errorf("%w: sender %q: HS256 is for the shared-secret (signed-only) mode, not for sealed messages", ErrInvalidKey, t.issuer)
		}
	}
	return nil
}

// ID returns the receiver id this Opener requires in aud.
func (o *Opener) ID() string { return o.id }

// Open decrypts envelope, verifies the signed message inside and records
// its id. Each envelope is accepted at most once.
func (o *Opener) Open(ctx context.Context, envelope string) (*Message, error) {
	m, _, err := o.OpenExport(ctx, envelope, nil)
	return m, err
}

// checkRecipient refuses a message whose signed recipient claim is not
// the thumbprint of our key kid, which opened the envelope.
func (o *Opener) checkRecipient(v *token.Verified, kid string) error {
	var rc struct {
		Thumbprint *string `json:"rkt"`
	}
	if err := v.Decode(&rc); err != nil {
		return fmt.Errorf("%w: %v", ErrClaims, err)
	}
	if rc.Thumbprint == nil {
		return fmt.Errorf("%w: claim %q missing", ErrRecipient, RecipientClaim)
	}
	key, ok := o.keys.Lookup(kid)
	if !ok || *rc.Thumbprint != key.Public().Thumbprint() {
		return ErrRecipient
	}
	return nil
}

// OpenExport is Open that also returns the receiver side of the envelope's
// HPKE context, matching the Exporter that SealExport returned. If check is
// not nil it runs after the message verified and before its id is recorded,
// so a message refused by check (say, one meant for another HTTP request)
// does not use up its id.
func (o *Opener) OpenExport(ctx context.Context, envelope string, check func(*Message) error) (*Message, seal.Exporter, error) {
	return o.open(ctx, o.verifier, envelope, check)
}

// open is OpenExport with the verifier of the envelope's kind: a message's
// or a stream's.
func (o *Opener) open(ctx context.Context, verifier *token.Verifier, envelope string, check func(*Message) error) (*Message, seal.Exporter, error) {
	if o.observer == nil {
		return o.openExport(ctx, verifier, envelope, check, &Event{})
	}
	start := time.Now()
	ev := Event{Kind: KindOpen, Outcome: OutcomeAccepted, Bytes: int64(len(envelope))}
	m, exp, err := o.openExport(ctx, verifier, envelope, check, &ev)
	ev.Duration = time.Since(start)
	if err != nil {
		ev.Outcome, ev.Reason, ev.Err = OutcomeRefused, ReasonOf(err), err
	}
	o.observer.Observe(ctx, ev)
	return m, exp, err
}

// openExport is OpenExport; it fills in ev's algorithms and issuer as each
// is established, so a refusal reports what was verified before it.
func (o *Opener) openExport(ctx context.Context, verifier *token.Verifier, envelope string, check func(*Message) error, ev *Event) (*Message, seal.Exporter, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	opened, err := seal.Open(o.keys, envelope, o.sealOpts...)
	if err != nil {
		return nil, nil, err
	}
	ev.Suite = opened.Header.Alg
	if !mediatype.Equal(opened.Header.Cty, ContentType) {
		return nil, nil, fmt.Errorf("%w: envelope cty %q, want %q", ErrMalformed, opened.Header.Cty, ContentType)
	}
	v, err := verifier.Verify(string(opened.Plaintext))
	if errors.Is(err, ErrUnknownKey) {
		// Not the recipient key: an unknown signing key means an untrusted
		// sender, which no refetch of our keys can fix.
		return nil, nil, fmt.Errorf("%w (%s)", ErrUntrustedSender, err)
	}
	if err != nil {
		return nil, nil, err
	}
	ev.SigAlg, ev.Issuer = v.Alg, v.Issuer
	if err := o.checkRecipient(v, opened.Header.KID); err != nil {
		return nil, nil, err
	}
	m := &Message{Verified: v, Envelope: opened.Header}
	if check != nil {
		if err := check(m); err != nil {
			return nil, nil, err
		}
	}
	if err := o.replay.Check(ctx, v.Issuer, v.ID, verifier.ValidUntil(v)); err != nil {
		return nil, nil, err
	}
	return m, opened, nil
}
