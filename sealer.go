package sealjwt

import (
	"context"
	"fmt"
	"time"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A Sealer signs messages with its token.Signer and seals them to a
// receiver's public key. It is safe for concurrent use.
type Sealer struct {
	signer       *token.Signer
	streamSigner *token.Signer // the same key, typ StreamType
	fileSigner   *token.Signer // the same key, typ FileType
}

// NewSealer returns a Sealer that signs with signer: its issuer, key,
// lifetime and clock. The token type is the Sealer's own, whatever signer
// writes: token.Type for a message, StreamType for a stream, FileType for
// a file. The signer's
// key must be one only the sender holds: HS256, the shared-secret mode's
// alg, is refused.
func NewSealer(signer *token.Signer) (*Sealer, error) {
	if signer == nil {
		return nil, fmt.Errorf("%w: no signer", ErrConfig)
	}
	if signer.Key().Alg() == token.HS256 {
		return nil, fmt.Errorf("%w: HS256 is for the shared-secret (signed-only) mode; a sealed message needs a key only its sender holds", ErrInvalidKey)
	}
	messageSigner, err := signer.ForType(token.Type)
	if err != nil {
		return nil, err
	}
	streamSigner, err := signer.ForType(StreamType)
	if err != nil {
		return nil, err
	}
	fileSigner, err := signer.ForType(FileType)
	if err != nil {
		return nil, err
	}
	return &Sealer{signer: messageSigner, streamSigner: streamSigner, fileSigner: fileSigner}, nil
}

// RecipientClaim names the signed claim that binds a message to the
// recipient key it was sealed to: that key's RFC 7638 thumbprint
// (seal.PublicKey.Thumbprint). An Opener refuses a message whose claim does not name
// the key that opened it, so a party that opened a message (say, by
// passing a sender its own key) cannot re-seal it to the real receiver.
const RecipientClaim = "rkt"

// A SealOption changes one message that Seal makes.
type SealOption func(*sealParams)

type sealParams struct {
	signOpts  []token.SignOption
	expiresAt time.Time // WithExpiresAt: files only
}

// WithID sets the message's jti instead of a fresh one (token.NewID). A
// message sent again keeps its id, so that a receiver's replay store
// accepts at most one of the copies: the jti is the idempotency key.
func WithID(jti string) SealOption {
	return func(p *sealParams) { p.signOpts = append(p.signOpts, token.WithID(jti)) }
}

// Seal signs claims (nil, a map or a struct of application claims) for
// audience and seals the token to the receiver's public key to. It returns
// the envelope: a JOSE-HPKE compact JWE. The signed claims also name to
// (RecipientClaim).
func (s *Sealer) Seal(ctx context.Context, to *seal.PublicKey, audience string, claims any, opts ...SealOption) (string, error) {
	env, _, err := s.seal(ctx, s.signer, to, audience, claims, opts)
	return env, err
}

// seal signs with signer and seals, returning the sender's HPKE context
// with the envelope.
func (s *Sealer) seal(ctx context.Context, signer *token.Signer, to *seal.PublicKey, audience string, claims any, opts []SealOption) (string, *seal.Context, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	if to == nil {
		return "", nil, fmt.Errorf("%w: no recipient key", ErrInvalidKey)
	}
	if audience == "" {
		return "", nil, fmt.Errorf("%w: audience is required", ErrClaims)
	}
	p := sealParams{signOpts: []token.SignOption{token.WithStringClaim(RecipientClaim, to.Thumbprint())}}
	for _, o := range opts {
		o(&p)
	}
	if !p.expiresAt.IsZero() {
		return "", nil, fmt.Errorf("%w: WithExpiresAt is for files; a message's lifetime is its signer's", ErrConfig)
	}
	jws, err := signer.Sign([]string{audience}, claims, p.signOpts...)
	if err != nil {
		return "", nil, err
	}
	return seal.SealContext(to, []byte(jws), seal.WithContentType(ContentType))
}
