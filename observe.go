package sealjwt

import (
	"context"
	"errors"
	"time"

	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// An Observer is told the outcome of each message, request or session step
// that a receiver (or a sender) handles: one Event each. It is how an
// operator counts what was accepted and what was refused, and why, without
// the library depending on any metrics system.
//
// Observe is called synchronously on the request's goroutine, concurrently
// from many goroutines: it must be safe for concurrent use, return quickly
// and not block (count, log, or hand off). It must not keep e.Err past the
// call's end if the error could hold on to request data.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to an Observer.
type ObserverFunc func(ctx context.Context, e Event)

// Observe calls f(ctx, e).
func (f ObserverFunc) Observe(ctx context.Context, e Event) { f(ctx, e) }

// An Event is one outcome. Every field that may become a metric label
// comes from a small closed set (Kind, Outcome, Reason, the algorithms) or
// from verified data (Issuer): nothing an unauthenticated peer chose can
// become a label, and no Event carries a secret.
type Event struct {
	Kind    Kind
	Outcome Outcome
	// Reason says why the outcome was refused; it is empty when accepted.
	Reason Reason
	// Suite is the envelope's HPKE algorithm, set once the envelope
	// decrypted with one of our keys ("" before).
	Suite seal.Alg
	// SigAlg is the signing algorithm, set once the signature verified.
	SigAlg token.Alg
	// Issuer is the sender, set only once its signature verified: an
	// unverified iss is never reported.
	Issuer string
	// Duration is how long the library took to reach the outcome: for a
	// request, from its arrival until it was opened and verified (the
	// handler's own time is not included).
	Duration time.Duration
	// Bytes is the size of what was handled: the envelope for KindOpen,
	// the decrypted request body the handler read for KindRequest, the
	// fetched key set for KindKeyRefresh.
	Bytes int64
	// Err is the error behind a refusal, for logs only: its text may
	// quote the input, so it must never become a label.
	Err error
}

// Kind says what an Event is about.
type Kind string

// Kinds of Event. The receiving side reports KindOpen (Opener) and
// KindRequest (the HTTP middleware); the sending side reports
// KindKeyRefresh, KindRetry and KindResponse; sessions report KindLogin,
// KindRefresh, KindAccess and KindLogout.
const (
	// KindOpen: an Opener opened (or refused) one envelope.
	KindOpen Kind = "open"
	// KindRequest: the HTTP middleware admitted (or refused) one request.
	// Its outcome covers the request body too: a body that failed to
	// authenticate while the handler read it turns it into a refusal.
	KindRequest Kind = "request"
	// KindKeyRefresh: a sender fetched the receiver's key set.
	KindKeyRefresh Kind = "key_refresh"
	// KindRetry: a receiver answered 422 (it does not hold the key the
	// request was sealed to); accepted when the sender refreshed its keys
	// and sent the request again, refused when it could not.
	KindRetry Kind = "retry"
	// KindResponse: a sender authenticated (or failed to authenticate) a
	// receiver's response.
	KindResponse Kind = "response"
	// KindLogin: a session (a refresh-token family) was started.
	KindLogin Kind = "login"
	// KindRefresh: a refresh token was presented. Refused with
	// ReasonReuse, the token had been used before and its whole family is
	// now revoked: raise an alert.
	KindRefresh Kind = "refresh"
	// KindAccess: an access token was presented to a protected resource.
	KindAccess Kind = "access"
	// KindLogout: a session was ended by its holder.
	KindLogout Kind = "logout"
)

// Outcome is accepted or refused.
type Outcome string

// Outcomes of an Event.
const (
	OutcomeAccepted Outcome = "accepted"
	OutcomeRefused  Outcome = "refused"
)

// Reason is why something was refused, from a closed set: a metric label
// with a bounded number of values.
type Reason string

// Reasons for a refusal. docs/OPERATIONS.md says what each means for an
// operator.
const (
	ReasonMalformed        Reason = "malformed"         // not the expected shape
	ReasonTooLarge         Reason = "too_large"         // over a size limit, refused before parsing
	ReasonUnsupported      Reason = "unsupported"       // well formed, but asks for something not done
	ReasonUnsealed         Reason = "unsealed"          // a request without a sealed envelope
	ReasonMisdirected      Reason = "misdirected"       // for a host this receiver does not serve
	ReasonTimeout          Reason = "timeout"           // the request arrived too slowly
	ReasonUnknownKey       Reason = "unknown_key"       // sealed to a key the receiver does not hold
	ReasonDecryption       Reason = "decryption"        // did not decrypt: tampered, or sealed for someone else
	ReasonUntrustedSender  Reason = "untrusted_sender"  // signed by a key no trusted sender holds
	ReasonSignature        Reason = "signature"         // the signature did not verify
	ReasonExpired          Reason = "expired"           // exp passed (signature valid)
	ReasonNotYetValid      Reason = "not_yet_valid"     // nbf or iat in the future (signature valid)
	ReasonIssuer           Reason = "issuer"            // iss is not the signing key's issuer
	ReasonAudience         Reason = "audience"          // meant for another receiver
	ReasonClaims           Reason = "claims"            // a required claim missing or malformed
	ReasonBinding          Reason = "binding"           // made for another method or URL
	ReasonRecipient        Reason = "recipient"         // signed for another recipient key: re-sealed by whoever opened it first
	ReasonReplay           Reason = "replay"            // seen before
	ReasonStoreUnavailable Reason = "store_unavailable" // the replay or session store did not answer
	ReasonStoreFull        Reason = "store_full"        // the in-memory replay store is full of live ids
	ReasonStoreReset       Reason = "store_reset"       // issued before the replay store lost its data: cannot tell if seen
	ReasonInDoubt          Reason = "in_doubt"          // the jti is held by a check whose receiver gave up: send it again later
	ReasonInvalidKey       Reason = "invalid_key"       // a key is unusable
	ReasonResponse         Reason = "response"          // a response failed to authenticate
	ReasonUnavailable      Reason = "unavailable"       // a peer could not be reached or answered an error
	ReasonRateLimited      Reason = "rate_limited"      // a key refresh was asked too soon after another
	ReasonCanceled         Reason = "canceled"          // the caller gave up (context canceled or deadline)
	ReasonLoginRefused     Reason = "login_refused"     // the application's authenticate function refused a login
	ReasonInvalidRefresh   Reason = "invalid_refresh"   // a refresh token that does not exist or does not match
	ReasonReuse            Reason = "reuse"             // a consumed refresh token presented again: family revoked
	ReasonRevoked          Reason = "revoked"           // the session was revoked
	ReasonSessionExpired   Reason = "session_expired"   // the session passed its lifetime or idle timeout
	ReasonSessionStoreLost Reason = "store_lost"        // the session store lost its data (a restart without persistence, a flush)
	ReasonInternal         Reason = "internal"          // anything else: a bug or a misconfiguration
)

// reasons maps sentinels to reasons, most specific first: ErrBinding and
// ErrRecipient wrap ErrClaims, so they must be matched before it.
var reasons = []struct {
	err    error
	reason Reason
}{
	{ErrTooLarge, ReasonTooLarge},
	{ErrReplayed, ReasonReplay},
	{replay.ErrReset, ReasonStoreReset},
	{replay.ErrInDoubt, ReasonInDoubt},
	{ErrReplayUnavailable, ReasonStoreUnavailable},
	{replay.ErrFull, ReasonStoreFull},
	{ErrBinding, ReasonBinding},
	{ErrRecipient, ReasonRecipient},
	{ErrUntrustedSender, ReasonUntrustedSender},
	{ErrUnknownKey, ReasonUnknownKey},
	{ErrDecryption, ReasonDecryption},
	{ErrSignature, ReasonSignature},
	{ErrExpired, ReasonExpired},
	{ErrNotYetValid, ReasonNotYetValid},
	{ErrIssuer, ReasonIssuer},
	{ErrAudience, ReasonAudience},
	{ErrClaims, ReasonClaims},
	{ErrInvalidKey, ReasonInvalidKey},
	{ErrUnsupported, ReasonUnsupported},
	{ErrMalformed, ReasonMalformed},
	{context.Canceled, ReasonCanceled},
	{context.DeadlineExceeded, ReasonCanceled},
}

// ReasonOf returns the Reason for an error reported by this module's
// receiving side, through errors.Is on its sentinels: "" for nil,
// ReasonInternal for an error it does not know.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return ReasonInternal
}

// WithObserver reports to o (nil: to none) every envelope the Opener
// opens or refuses, as one KindOpen Event each: Open, OpenStream and
// OpenFile. The HTTP middleware (transport.Server) reports each request it
// handles as one KindRequest Event instead, when it has an observer of
// its own: the Opens it makes are then not reported here, so a request is
// never counted twice, whichever of the two is given an observer.
func WithObserver(o Observer) OpenerOption {
	return func(op *Opener) { op.observer = o }
}
