package sealjwt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/internal/mediatype"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A Sealer signs messages with its token.Signer and seals them to a
// receiver's public key. It is safe for concurrent use.
type Sealer struct {
	signer        *token.Signer // typ token.Type, or WithSealedType's
	streamSigner  *token.Signer // the same key, typ StreamType
	requestSigner *token.Signer // the same key, typ RequestType (the transport's)
	fileSigner    *token.Signer // the same key, typ FileType
}

// A SealerOption configures a Sealer.
type SealerOption func(*Sealer) error

// WithSealedType makes Seal write typ instead of token.Type: for another
// kind of sealed token, which an Opener WithOpenedType(typ) accepts and a
// message's Opener refuses (a sealed access token, say). The kinds that
// have calls of their own (StreamType, RequestType) cannot be named.
func WithSealedType(typ string) SealerOption {
	return func(s *Sealer) error {
		if err := checkMessageType("WithSealedType", typ); err != nil {
			return err
		}
		var err error
		s.signer, err = s.signer.ForType(typ)
		return err
	}
}

// checkMessageType refuses, as the type of what Seal and Open handle, a
// kind that has calls of its own.
func checkMessageType(option, typ string) error {
	if slices.ContainsFunc(ownKinds, func(k string) bool { return mediatype.Equal(k, typ) }) {
		return fmt.Errorf("%w: %s must not name a kind with calls of its own (%s), got %q", ErrConfig, option, strings.Join(ownKinds, ", "), typ)
	}
	return nil
}

// ownKinds are the kinds of sealed token that have calls of their own, so
// that Seal and Open never make or accept them.
var ownKinds = []string{StreamType, RequestType, FileType}

// NewSealer returns a Sealer that signs with signer: its issuer, key,
// lifetime and clock. The token type is the Sealer's own, whatever signer
// writes: token.Type for a message (or WithSealedType's), StreamType for a
// stream, RequestType for the transport's requests, FileType
// for a file. The signer's key must
// be one only the sender holds: HS256, the shared-secret mode's alg, is
// refused.
func NewSealer(signer *token.Signer, opts ...SealerOption) (*Sealer, error) {
	if signer == nil {
		return nil, fmt.Errorf("%w: no signer", ErrConfig)
	}
	if signer.Key().Alg() == token.HS256 {
		return nil, fmt.Errorf("%w: HS256 is for the shared-secret (signed-only) mode; a sealed message needs a key only its sender holds", ErrInvalidKey)
	}
	s := &Sealer{}
	var err error
	for _, k := range []struct {
		to  **token.Signer
		typ string
	}{{&s.signer, token.Type}, {&s.streamSigner, StreamType}, {&s.requestSigner, RequestType}, {&s.fileSigner, FileType}} {
		if *k.to, err = signer.ForType(k.typ); err != nil {
			return nil, err
		}
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// RecipientClaim names the signed claim that binds a message to the
// recipient key it was sealed to: that key's RFC 7638 thumbprint
// (seal.PublicKey.Thumbprint). An Opener refuses a message whose claim does not name
// the key that opened it, so a party that opened a message (say, by
// passing a sender its own key) cannot re-seal it to the real receiver.
const RecipientClaim = "rkt"

// A SealOption changes one message, stream or file that a Sealer makes
// (Seal, SealStream, SealFile).
type SealOption interface {
	FileOption
	applySeal(*sealParams)
}

// A FileOption changes one file that SealFile makes. The options about a
// file alone (WithExpiresAt) are FileOptions only, so giving one to Seal
// or SealStream does not compile.
type FileOption interface{ applyFile(*sealParams) }

type sealParams struct {
	signOpts  []token.SignOption
	expiresAt time.Time // WithExpiresAt: files only
}

// sealOption is an option for every kind a Sealer makes.
type sealOption func(*sealParams)

func (f sealOption) applySeal(p *sealParams) { f(p) }
func (f sealOption) applyFile(p *sealParams) { f(p) }

// WithID sets the jti instead of a fresh one (token.NewID): 1 to 256
// base64url characters, as token.WithID. A message sent again keeps its
// id, so that a receiver's replay store accepts at most one of the
// copies: the jti is the idempotency key.
func WithID(jti string) SealOption {
	return sealOption(func(p *sealParams) { p.signOpts = append(p.signOpts, token.WithID(jti)) })
}

// Seal signs claims (nil, a map or a struct of application claims) for
// audience and seals the token to the receiver's public key to. It returns
// the envelope: a JOSE-HPKE compact JWE. The signed claims also name to
// (RecipientClaim).
//
// The audience is the one receiver's id, a string as token.Signer.Sign
// takes it: the message is sealed to one receiver key, and a token naming
// several audiences could be replayed by any of them to the others.
func (s *Sealer) Seal(ctx context.Context, to *seal.PublicKey, audience string, claims any, opts ...SealOption) (string, error) {
	env, _, err := s.seal(ctx, s.signer, to, audience, claims, opts, requestClaims)
	return env, err
}

// seal signs with signer and seals, returning the sender's HPKE context
// with the envelope. The application's claims may not use the names in
// reserved (those another kind of token gives a meaning to).
func (s *Sealer) seal(ctx context.Context, signer *token.Signer, to *seal.PublicKey, audience string, claims any, opts []SealOption, reserved []string) (string, *seal.Context, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	if to == nil {
		return "", nil, fmt.Errorf("%w: no recipient key", ErrInvalidKey)
	}
	if audience == "" {
		return "", nil, fmt.Errorf("%w: audience is required", ErrClaims)
	}
	p := sealParams{signOpts: []token.SignOption{token.WithStringClaim(RecipientClaim, to.Thumbprint()), token.WithReserved(reserved...)}}
	for _, o := range opts {
		o.applySeal(&p)
	}
	jws, err := signer.Sign(audience, claims, p.signOpts...)
	if err != nil {
		return "", nil, err
	}
	return seal.SealContext(to, []byte(jws), seal.WithContentType(ContentType))
}
