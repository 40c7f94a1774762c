// Package token signs and verifies the inner JWTs of sealjwt on
// github.com/golang-jwt/jwt/v5, with the checks golang-jwt leaves opt-in
// turned on and a few it does not have.
//
// Keys are JWKs bound to one algorithm each (EdDSA by default; ES256,
// ES384, PS256, RS256, ML-DSA-44/65/87 per RFC 9964, and HS256 for the
// shared-secret flow), identified by their RFC 7638 thumbprint or by the
// kid of the JWK they were read from.
//
// A Signer writes the header {"alg","kid","typ"} with typ = Type, and the
// claims iss, aud, iat, exp (5 minutes later by default) and a random
// 128-bit jti, followed by the application's claims.
//
// A Verifier, in this order: refuses tokens over its size cap (64 KiB)
// before parsing; requires exactly three strict base64url segments;
// accepts only the header parameters alg, typ and kid, without duplicate
// members; looks the kid up among keys registered with Trust; requires the
// header alg to be that key's alg; requires typ; verifies the signature
// with golang-jwt's signing method for the key's alg (never the header's);
// decodes the claims strictly (no duplicate members at any depth, no case
// variants of registered names, NumericDates as positive JSON numbers, aud
// as a string or array of strings); and only then checks exp, nbf and iat
// against the clock with a leeway (30 s), the issuer the key is registered
// to, the audience, and the lifetime exp - iat (at most 1 hour).
// WithTutorialCompat relaxes the header and claim requirements for tokens
// made the way of the classic shared-secret tutorial; it is off by default.
package token
