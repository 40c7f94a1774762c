package sealjwt

import (
	"context"
	"fmt"
	"slices"

	"github.com/sealjwt/sealjwt/seal"
)

// RequestType is the "typ" of the signed token inside an envelope made by
// SealContext: the kind that heads a transport request. It differs from a
// message's and a stream's, so that a message (one made for a queue, say)
// never passes for an HTTP request, nor a request's envelope for a
// message. Only this kind carries the request claims (RequestClaims); Seal
// and SealStream refuse them, Open and OpenStream too.
const RequestType = "seal-request+jwt"

// requestClaims are the claims that bind a transport request's envelope to
// its HTTP request: method, target URI, content type, whether a body
// follows, and the sealed header fields.
var requestClaims = []string{"htm", "htu", "hct", "hbd", "hfs"}

// RequestClaims returns the names of the request claims (htm, htu, hct,
// hbd, hfs): the claims that bind an envelope of RequestType to one HTTP
// request. SealContext and OpenContext let them through, and OpenContext
// reads them byte for byte (Message.Claim); every other kind refuses them,
// and a case variant of one, on both sides.
func RequestClaims() []string { return slices.Clone(requestClaims) }

// SealContext is Seal for the low-level layer the transport is built on:
// it signs claims for audience as a token of RequestType, seals it to to,
// and returns the envelope with the sender's side of its HPKE context
// (RFC 9180 section 5.3). Claims may hold the request claims; the
// recipient claim is set as Seal sets it, and the options are Seal's.
//
// The context is for Export (and KeySize), under labels of the caller's
// own, to derive keys for data that travels with the envelope.
// The receiver's OpenContext yields a context that exports the same bytes,
// and no one else can. Labels beginning with "sealjwt " are this module's
// (the transport keys its bodies from contexts of this kind under them):
// pick others.
func (s *Sealer) SealContext(ctx context.Context, to *seal.PublicKey, audience string, claims any, opts ...SealOption) (string, *seal.Context, error) {
	if s == nil { // a transport built without a Sealer
		return "", nil, fmt.Errorf("%w: no Sealer", ErrConfig)
	}
	return s.seal(ctx, s.requestSigner, to, audience, claims, opts, nil)
}

// OpenContext is Open for the low-level layer the transport is built on:
// it opens an envelope of RequestType (SealContext's), verifies it as Open
// does, and returns the message with the receiver's side of its HPKE
// context, for Export under the labels the sender used (see SealContext).
// On any failure the message and the context are nil.
//
// If check is not nil, it runs after the message verified and before its
// id is recorded: a message check refuses is not accepted, and keeps its
// id, so that a genuine message presented in the wrong place (for another
// request) can still be accepted where it belongs. OpenContext checks the
// sender, audience, lifetime, recipient key and replay, but not what the
// message is bound to: a caller must apply its own binding checks in
// check (the transport compares the request claims, read with
// Message.Claim, with the HTTP request).
func (o *Opener) OpenContext(ctx context.Context, envelope string, check func(*Message) error) (*Message, *seal.Context, error) {
	if o == nil { // a server built without an Opener
		return nil, nil, fmt.Errorf("%w: no Opener", ErrConfig)
	}
	return o.open(ctx, o.requestVerifier, envelope, check)
}
