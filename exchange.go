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
// RequestType is the "typ" of the signed token inside the envelope that
// heads a transport request (transport.RequestType). It differs from a
// message's and a stream's, so that a message (one made for a queue, say)
// never passes for an HTTP request, nor a request's envelope for a
// message. Only a request's token carries the request claims (htm, htu,
// hct, hbd, hfs); Seal and SealStream refuse them, Open and OpenStream too.
const RequestType = "seal-request+jwt"

func init() {
	exchange.Seal = sealExchange
	exchange.Open = openExchange
}

func sealExchange(ctx context.Context, sealer any, to *seal.PublicKey, audience string, claims any, jti string) (string, *seal.Context, error) {
	s, ok := sealer.(*Sealer)
	if !ok || s == nil {
		return "", nil, fmt.Errorf("%w: no Sealer", ErrConfig)
	}
	return s.seal(ctx, s.requestSigner, to, audience, claims, []SealOption{WithID(jti)}, nil)
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
	m, sc, err := o.open(ctx, o.requestVerifier, envelope, c)
	if err != nil {
		return nil, nil, err // not a typed nil *Message in an any
	}
	return m, sc, nil
}
