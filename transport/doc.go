// Package transport carries sealed messages over plain net/http.
//
// A client wraps any http.RoundTripper (NewTransport): each request gets a
// fresh envelope in "Authorization: Sealed <envelope>" whose signed claims
// bind the method, the target URI, the content type, whether a body follows
// and the request's headers, which travel sealed inside it; the request body,
// if any, streams as encrypted records under a key exported from the
// envelope's HPKE context. The server middleware (Server) opens and verifies
// the envelope, hands the handler a plain *http.Request with the sealed
// headers, the decrypted body and the verified message in its context, and
// seals the response, headers and body, as the handler writes it, under a key
// only the requester can derive, with the status code authenticated. Sealed
// reports whether a response the client returned was sealed; an unsealed
// 2xx or 3xx is an error.
//
// Receivers publish their public keys as a JWKS (JWKSHandler), optionally
// signed (SignedJWKSHandler); senders pin them (StaticKeys) or fetch them
// over https and keep them fresh (NewKeyFetcher, WithKeySetSigner).
//
// Plain signed tokens without sealing (the shared-secret flow of a "Token"
// header) are package session's Bearer middleware.
//
// The byte layout is specified in docs/PROTOCOL.md.
package transport
