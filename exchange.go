package sealjwt

import (
	"context"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/exchange"
	"github.com/sealjwt/sealjwt/seal"
)

// The transport derives its body keys from the HPKE context of the
// envelope that heads each exchange; it reaches that context through
// internal/exchange, so that the Sealer and the Opener need no public
// hook for it.
func init() {
	exchange.Seal = sealExchange
	exchange.Open = openExchange
}

func sealExchange(ctx context.Context, sealer any, to *seal.PublicKey, audience string, claims any, jti string) (string, *seal.Context, error) {
	s, ok := sealer.(*Sealer)
	if !ok || s == nil {
		return "", nil, fmt.Errorf("%w: no Sealer", ErrConfig)
	}
	return s.seal(ctx, s.signer, to, audience, claims, []SealOption{WithID(jti)})
}

func openExchange(ctx context.Context, opener any, envelope string, check func(any) error) (any, *seal.Context, error) {
	o, ok := opener.(*Opener)
	if !ok || o == nil {
		return nil, nil, fmt.Errorf("%w: no Opener", ErrConfig)
	}
	var c func(*Message) error
	if check != nil {
		c = func(m *Message) error { return check(m) }
	}
	m, sc, err := o.open(ctx, o.verifier, envelope, c)
	if err != nil {
		return nil, nil, err // not a typed nil *Message in an any
	}
	return m, sc, nil
}
