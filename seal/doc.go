// Package seal implements JOSE-HPKE envelopes: JSON Web Encryption with
// Hybrid Public Key Encryption (RFC 9180), as specified by
// draft-ietf-jose-hpke-encrypt-20 and, for the post-quantum suites,
// draft-ietf-jose-hpke-pq-pqt-00.
//
// Seal encrypts a plaintext to one recipient public key and returns a JWE
// in compact serialization. Integrated encryption (algs "HPKE-n") puts the
// HPKE encapsulated secret in the JWE Encrypted Key and the HPKE ciphertext
// in the JWE Ciphertext; the Initialization Vector and Authentication Tag
// are empty. Key encryption (algs "HPKE-n-KE") uses HPKE to encrypt a random
// content encryption key and AES-GCM for the content, for interoperability
// with libraries that only do that mode.
//
// Every key is bound to exactly one algorithm; the alg in a JWE header must
// equal the alg of the key its kid names, so the sender never chooses how the
// receiver decrypts. Input is parsed strictly (size cap first, exact segment
// counts, strict base64url, no duplicate JSON members, no crit/zip/jku/jwk/
// x5u/x5c), and every decryption failure is the same opaque ErrDecryption.
package seal
