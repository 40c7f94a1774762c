// Package exchange is how the transport reaches the HPKE context of the
// envelopes that a Sealer seals and an Opener opens, to derive the keys of
// the bodies that follow them (internal/streamkey), without the root
// package offering that context as public API. The root package sets both
// functions when it is initialised; the transport, which imports it, only
// calls them.
//
// They take the root's types as any, because this package cannot import
// the package that sets them.
package exchange

import (
	"context"

	"github.com/sealjwt/sealjwt/seal"
)

// Seal is (*sealjwt.Sealer).Seal with the message's jti, that also
// returns the sender's side of the envelope's HPKE context. sealer is a
// *sealjwt.Sealer.
var Seal func(ctx context.Context, sealer any, to *seal.PublicKey, audience string, claims any, jti string) (string, *seal.Context, error)

// Open is (*sealjwt.Opener).Open that also returns the receiver's side of
// the envelope's HPKE context. opener is a *sealjwt.Opener, and msg, given
// to check and returned, a *sealjwt.Message. If check is not nil it runs
// after the message verified and before its id is recorded, so that a
// message it refuses (one meant for another request) keeps its id.
var Open func(ctx context.Context, opener any, envelope string, check func(msg any) error) (msg any, c *seal.Context, err error)

// RequestClaims are the claims that bind a transport request's envelope to
// its HTTP request: method, target URI, content type, whether a body
// follows, and the sealed header fields. Only a request envelope may carry
// them; the root package reserves them in every other kind it seals or
// opens.
var RequestClaims = []string{"htm", "htu", "hct", "hbd", "hfs"}
