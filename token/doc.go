// Package token signs and verifies the inner JWTs of sealjwt on
// github.com/golang-jwt/jwt/v5, with the checks golang-jwt leaves opt-in
// turned on and a few it does not have.
//
// # Keys and algorithms
//
// Keys are JWKs bound to one [Alg] each ([Algs] lists them), identified by
// their RFC 7638 thumbprint, or by the kid of the JWK they were read from,
// so an identity provider's JWKS works as published:
//
//	EdDSA                           Ed25519 (RFC 8037), the default (DefaultAlg)
//	ES256, ES384                    ECDSA P-256 / SHA-256, P-384 / SHA-384
//	PS256                           RSASSA-PSS / SHA-256
//	RS256                           RSASSA-PKCS1-v1_5 / SHA-256
//	ML-DSA-44, ML-DSA-65, ML-DSA-87 ML-DSA (FIPS 204, RFC 9964, kty AKP), post-quantum
//	HS256                           HMAC-SHA-256, the shared-secret mode only
//
// [GenerateKey] makes a [SigningKey]; a [KeySet] holds a signer's keys (a
// primary key that signs, and older ones), a [VerifyingKeySet] the public
// keys a receiver trusts for one issuer ([KeySet.Verifying]). HS256 keys
// come from [NewHMACKey] (a verifier trusts [NewHMACVerifyingKeySet] of the
// same secret), which requires the [MinHMACKeySize] of 32 bytes that
// RFC 7518 section 3.2 asks for; [NewTutorialHMACKey] accepts a shorter
// secret, only to interoperate with one, and a short secret is easier to
// guess. HS256 is a shared secret: whoever can verify can also forge, and
// nothing is encrypted, so use it only where the channel is already
// confidential (TLS).
//
// Keys from other stacks: a JWK without "alg" (as jose's exportJWK writes
// them) is read when the key implies its algorithm (Ed25519: EdDSA; P-256:
// ES256; P-384: ES384) or when the caller names it ([WithJWKAlg]); RSA and
// ML-DSA keys stay explicit. [ParseSigningPEM] and [ParseVerifyingPEM] read
// PKCS#8, PKCS#1, SEC 1 and PKIX, in PEM or DER, and a certificate's public
// key ([WithCertificateValidAt]), as openssl genpkey and cert-manager write
// them; [SigningKey.MarshalPEM] writes PKCS#8 and PKIX (docs/PROTOCOL.md
// section 2.4).
//
// A private key that must not enter the process signs through any
// [crypto.Signer] ([NewSigningKeyFromSigner]): a PKCS#11 token through
// package [github.com/sealjwt/sealjwt/pkcs11], or a cloud KMS through a
// small adapter whose Sign calls the KMS with the digest and returns its
// ASN.1 signature, as in the example of NewSigningKeyFromSigner.
//
// The ML-DSA methods registered with golang-jwt take circl's key types, so
// jwt.Parse and SignedString work with *mldsa65.PublicKey and
// *mldsa65.PrivateKey. [VerifyJWS] verifies a JWS whose payload is not a
// JWT (RFC 9964's examples, in testdata/, are its test) with the same
// strict parsing.
//
// # Signing
//
// A [Signer] ([NewSigner]) writes the header {"alg","kid","typ"} with typ
// = [Type] (or the kind set with [WithType]), and the claims iss, aud,
// iat, exp ([DefaultLifetime], 5 minutes, later by default; [WithLifetime])
// and a random 128-bit jti, followed by the application's claims.
//
// # Verifying
//
// A [Verifier] ([NewVerifier]), in this order: refuses tokens over its
// size cap (64 KiB, [WithMaxSize]) before parsing; requires exactly three
// strict base64url segments; accepts only the header parameters alg, typ
// and kid, without duplicate members; looks the kid up among keys
// registered with [Verifier.Trust]; requires the header alg to be that
// key's alg; requires typ, compared as RFC 7515 says (application/seal+jwt
// is seal+jwt); verifies the signature with golang-jwt's signing method
// for the key's alg (never the header's); decodes the claims strictly (no
// duplicate members at any depth, no case variants of registered names,
// NumericDates as positive JSON numbers, aud as a string or array of
// strings); and only then checks exp, nbf and iat against the clock with a
// leeway ([DefaultLeeway], 30 s; [WithLeeway]), the issuer the key is
// registered to (a signing key belongs to one issuer), the audience, and
// the lifetime exp - iat (at most 1 hour; [WithMaxLifetime]).
//
// [WithTutorialCompat] relaxes the header and claim requirements for
// tokens made the way of the classic shared-secret tutorial (typ JWT or
// none, no kid with a single key, only exp required), giving up explicit
// typing, the audience binding and the token id that single use needs; it
// is off by default. Package session's Bearer middleware uses it.
package token
