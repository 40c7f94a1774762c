// Package transport carries sealed messages over plain net/http.
//
// A client wraps any http.RoundTripper (NewTransport): each request gets a
// fresh envelope in "Authorization: Sealed <envelope>" whose signed claims
// bind the method, the target URI, the content type and whether a body
// follows; the request body, if any, streams as encrypted records under a key
// exported from the envelope's HPKE context. The server middleware (Server)
// opens and verifies the envelope, hands the handler a plain *http.Request
// with the decrypted body and the verified message in its context, and seals
// the response as the handler writes it, under a key only the requester can
// derive, with the status code authenticated.
//
// Receivers publish their public keys as a JWKS (JWKSHandler); senders load
// them once (StaticKeys) or keep them fresh (NewKeyFetcher).
//
// Plain signed tokens without sealing (the shared-secret flow of a "Token"
// header) are package session's Bearer middleware.
//
// The byte layout is specified in docs/PROTOCOL.md.
package transport
