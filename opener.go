package sealjwt

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sealjwt/sealjwt/internal/mediatype"
	"github.com/sealjwt/sealjwt/internal/reported"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// An Opener opens envelopes sealed to its keys and verifies the signed
// message inside with its verifier: the sender must be trusted (Trust on
// the token.Verifier), the audience must name this receiver, the lifetime
// must be current and bounded, and the token id must not have been seen
// before. It is safe for concurrent use.
type Opener struct {
	keys            *seal.KeySet
	verifier        *token.Verifier // the given policy and senders, typ token.Type (or WithOpenedType's)
	streamVerifier  *token.Verifier // the same, typ StreamType
	requestVerifier *token.Verifier // the same, typ RequestType (the transport's)
	fileVerifier    *token.Verifier // the same, long-lived, typ FileType
	maxAge          time.Duration   // WithMaxAge, for files
	replay          replay.Store
	observer        Observer
	typ             string // the verifier's typ
}

// OpenerOption configures an Opener.
type OpenerOption func(*Opener)

// WithReplayStore sets where token ids are remembered (default: an
// in-memory store, right for a single receiver process; use a shared store
// such as replay/redisstore for a fleet).
func WithReplayStore(s replay.Store) OpenerOption {
	return func(o *Opener) { o.replay = s }
}

// WithOpenedType makes Open accept typ instead of token.Type: the kind
// a Sealer WithSealedType(typ) seals. Open then refuses messages, as a
// message's Opener refuses this kind.
func WithOpenedType(typ string) OpenerOption {
	return func(o *Opener) { o.typ = typ }
}

// NewOpener returns an Opener holding keys, the receiver's sealing keys,
// that verifies messages with verifier: its audience is this receiver's
// id, its leeway, maximum lifetime and clock apply, and the senders it
// trusts (now or later) are the senders this Opener accepts. The token
// type is the Opener's own, whatever verifier requires: token.Type for a
// message, StreamType for a stream, FileType for a file; a verifier WithTutorialCompat, which
// accepts untyped tokens, is refused. A message that an HS256 key signed
// is refused at Open: whoever verifies with a shared secret can also sign
// with it, so it cannot name a sender.
func NewOpener(keys *seal.KeySet, verifier *token.Verifier, opts ...OpenerOption) (*Opener, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: no key set", ErrInvalidKey)
	}
	if verifier == nil {
		return nil, fmt.Errorf("%w: no verifier", ErrConfig)
	}
	o := &Opener{keys: keys, typ: token.Type}
	for _, opt := range opts {
		opt(o)
	}
	if err := checkMessageType("WithOpenedType", o.typ); err != nil {
		return nil, err
	}
	if o.maxAge < 0 {
		return nil, fmt.Errorf("%w: WithMaxAge must be at least 0 (no limit), got %v", ErrConfig, o.maxAge)
	}
	if err := o.setVerifiers(verifier); err != nil {
		return nil, err
	}
	if o.replay == nil {
		o.replay = replay.NewMemory()
	}
	return o, nil
}

// setVerifiers makes one verifier for each kind the Opener accepts, from
// verifier's policy and senders. Each reads the recipient claim byte for
// byte (a file's is a list); only the request's reads the request claims,
// which the others refuse.
func (o *Opener) setVerifiers(verifier *token.Verifier) error {
	recipient := []string{RecipientClaim}
	for _, k := range []struct {
		to            **token.Verifier
		typ           string
		read, refused []string
	}{
		{&o.verifier, o.typ, recipient, requestClaims},
		{&o.streamVerifier, StreamType, recipient, requestClaims},
		{&o.requestVerifier, RequestType, append(recipient, requestClaims...), nil},
	} {
		v, err := verifier.ForType(k.typ)
		if err != nil {
			return err
		}
		if *k.to, err = v.ForClaims(k.read, k.refused); err != nil {
			return err
		}
	}
	file, err := verifier.ForLongLived(FileType, o.maxAge)
	if err != nil {
		return err
	}
	o.fileVerifier, err = file.ForClaims(recipient, requestClaims)
	return err
}

// Open decrypts envelope, verifies the signed message inside and records
// its id. Each envelope is accepted at most once.
func (o *Opener) Open(ctx context.Context, envelope string) (*Message, error) {
	m, _, err := o.open(ctx, o.verifier, envelope, nil)
	return m, err
}

// checkRecipient refuses a message whose signed recipient claim is not
// the thumbprint of our key kid, which opened the envelope.
// The claim was read, name and value, byte for byte in the token layer's
// one strict pass; a thumbprint is base64url, so its JSON string holds no
// escapes, and one written with escapes does not match.
func (o *Opener) checkRecipient(v *token.Verified, kid string) error {
	raw, err := v.Claim(RecipientClaim)
	if err != nil {
		return err
	}
	if raw == nil {
		return fmt.Errorf("%w: claim %q missing", ErrRecipient, RecipientClaim)
	}
	if raw[0] != '"' {
		return fmt.Errorf("%w: claim %q is not a string", ErrRecipient, RecipientClaim)
	}
	key, ok := o.keys.Lookup(kid)
	if !ok || string(raw[1:len(raw)-1]) != key.Public().Thumbprint() {
		return ErrRecipient
	}
	return nil
}

// open is Open with the verifier of the envelope's kind (a message's or a
// stream's) that also returns the receiver's HPKE context. If check is not
// nil it runs after the message verified and before its id is recorded,
// so a message refused by check (one meant for another HTTP request) does
// not use up its id.
func (o *Opener) open(ctx context.Context, verifier *token.Verifier, envelope string, check func(*Message) error) (*Message, *seal.Context, error) {
	if reported.Take(ctx) || o.observer == nil {
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

// openExport is open; it fills in ev's algorithms and issuer as each
// is established, so a refusal reports what was verified before it.
func (o *Opener) openExport(ctx context.Context, verifier *token.Verifier, envelope string, check func(*Message) error, ev *Event) (*Message, *seal.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	opened, err := seal.Open(o.keys, envelope)
	if err != nil {
		return nil, nil, err
	}
	ev.Suite = opened.Header.Alg
	if !mediatype.Equal(opened.Header.Cty, ContentType) {
		return nil, nil, fmt.Errorf("%w: envelope cty %q, want %q", ErrMalformed, opened.Header.Cty, ContentType)
	}
	var m *Message
	_, err = verifier.VerifyOnce(ctx, string(opened.Plaintext), o.replay, func(v *token.Verified) error {
		ev.SigAlg, ev.Issuer = v.Alg, v.Issuer
		if v.Alg == token.HS256 {
			return fmt.Errorf("%w: HS256 is for the shared-secret (signed-only) mode; a sealed message needs a key only its sender holds", ErrUntrustedSender)
		}
		if err := o.checkRecipient(v, opened.Header.KID); err != nil {
			return err
		}
		m = &Message{Verified: v, Envelope: opened.Header}
		if check != nil {
			return check(m)
		}
		return nil
	})
	if errors.Is(err, ErrUnknownKey) {
		// Not the recipient key: an unknown signing key means an untrusted
		// sender, which no refetch of our keys can fix.
		return nil, nil, fmt.Errorf("%w (%s)", ErrUntrustedSender, err)
	}
	if err != nil {
		return nil, nil, err
	}
	return m, opened.Context, nil
}
