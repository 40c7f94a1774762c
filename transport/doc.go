// Package transport carries sealed messages over plain net/http.
//
// A client wraps any [http.RoundTripper] ([NewTransport]): each request
// gets a fresh envelope in "Authorization: Sealed <envelope>" whose signed
// claims bind the method, the target URI, the content type, whether a body
// follows and the request's headers, which travel sealed inside it; the
// request body, if any, streams as encrypted records under a key exported
// from the envelope's HPKE context. The server middleware ([Server]) opens
// and verifies the envelope, hands the handler a plain [*http.Request] with
// the sealed headers, the decrypted body and the verified message in its
// context ([MessageFromContext]), and seals the response, headers and body,
// as the handler writes it (Flush works), under a key only the requester
// can derive, with the status code authenticated. The byte layout is in
// docs/PROTOCOL.md section 4; the package Example is a whole exchange.
//
// # Refusals
//
// The middleware refuses before the handler runs, with an RFC 9457
// application/problem+json body ([ProblemContentType]) that carries no
// crypto detail:
//
//	400  malformed envelope, or a feature refused (crit, zip, ...)
//	401  not authenticated: no envelope, decryption failed, bad signature,
//	     untrusted sender, wrong issuer, expired or not yet valid, bad claims
//	403  wrong audience, or an envelope made for another method or URL
//	408  a bare envelope too slow to arrive (ErrSlowRequest); a body past
//	     WithBodyTimeout fails the handler's read instead
//	409  replayed, or issued before the replay store lost its data
//	413  envelope or body too large (WithMaxBodySize, default 64 MiB)
//	421  a Host the receiver does not answer for
//	422  sealed to a key this receiver does not hold: the client refetches
//	     the keys and retries once, with the same jti (nothing was processed)
//	503  the replay store did not answer in time, is full, or holds the jti
//	     for a check whose answer was lost: fails closed, never 409
//
// Refusals are not sealed: [Sealed] reports false for them, and their
// status is advice, not proof. An unsealed 2xx or 3xx is an error, never
// followed ([ErrUnsealedResponse]). A request that got an unsealed refusal
// may still have run if someone on the path held it back: its jti is its
// idempotency key, and the client's retry keeps it. [ReasonOf] gives the
// [sealjwt.Reason] of a refusal; the problem body is a [Problem].
//
// # Server settings that matter
//
// Serve with http.Server.ReadHeaderTimeout (the envelope arrives with the
// headers), [WithBodyTimeout] (the time to send a body once admitted; no
// bound by default, for long streams) and http.Server.IdleTimeout: without
// them a client that trickles its request holds a connection and its
// memory as long as it likes. [WithEnvelopeTimeout] bounds a bare envelope
// (10 s). Tell the receiver its own origins with [WithAcceptedHosts], or
// [WithBaseURL] behind a proxy: each envelope is bound to a target URL, and
// a receiver that took its host from whatever Host header arrives would
// accept an envelope made for another origin sent to it under that name.
//
// # Headers
//
// The application's request headers (Cookie, Accept, X-*, Idempotency-Key,
// ...) are signed and encrypted in the envelope and absent from the wire;
// the request's Content-Type is signed and encrypted too, while the method,
// scheme, host, path and query are signed but visible. The server drops
// unsealed headers before the handler, except those [WithPassThroughHeaders]
// names, and refuses an unsealed copy that differs from a sealed one
// ([ErrHeaderConflict]). A client may send chosen headers in the clear
// ([WithUnsealedRequestHeaders]); a proxy may then change them. Every
// response header the handler sets, Content-Type and Location included,
// travels encrypted at the start of the sealed stream, and the client
// returns only those. docs/PROTOCOL.md section 4.5 has the bytes.
//
// # Key discovery
//
// Receivers publish their public keys as a JWKS at [DefaultJWKSPath]
// ([JWKSHandler]), optionally signed ([SignedJWKSHandler]). Pinned keys
// ([StaticKeys], loaded from a file) are the simplest and strongest choice.
// A [KeyFetcher] ([NewKeyFetcher]) loads the set once, keeps it fresh on a
// schedule and on an unknown kid at a bounded rate ([WithRefreshInterval],
// 5 minutes), keeps the last good set when a refresh fails, and stops at
// [KeyFetcher.Close]. It fetches only over https or from loopback
// ([WithPlainHTTP] to override, [ErrInsecureKeyURL] otherwise); with
// [WithKeySetSigner] it accepts only a key set the receiver signed, with a
// key the sender already holds, so that whoever serves the URL cannot hand
// out keys of its own. An unsigned set is as trustworthy as the TLS that
// carried it. Rotate by adding the new key as the primary of the
// receiver's [seal.KeySet]: senders seal to it from their next refresh,
// and the older key keeps opening what was sealed to it.
//
// # Senders in other languages: bare-envelope mode
//
// A sender with a JOSE library that has the JOSE-HPKE algorithms (and none
// of this package's record streams) sends the envelope alone as the request
// body, with Content-Type application/jose. The signed claims must name the
// request: htm the method, htu the target URL (scheme://host + path +
// ?query); the JWT header is {"alg","kid","typ":"seal-request+jwt"} (a
// request is a kind of its own: a message's seal+jwt is refused, see
// [sealjwt.RequestType]) and the JWE's cty is JWT. There is no request body
// beyond the envelope; the reply is sealed as for any request
// (docs/PROTOCOL.md section 4 shows how to read it byte by byte). The CLI
// stands in for such a sender with sealjwt seal --request 'POST URL'
// (docs/OPERATIONS.md).
//
// Plain signed tokens without sealing (the shared-secret flow of a Token
// header) are package session's [github.com/sealjwt/sealjwt/session.Bearer] middleware,
// with [github.com/sealjwt/sealjwt/session.BearerTransport] on the client
// side.
package transport
