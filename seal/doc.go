// Package seal implements JOSE-HPKE envelopes: JSON Web Encryption with
// Hybrid Public Key Encryption (RFC 9180), as specified by
// draft-ietf-jose-hpke-encrypt-20 and, for the post-quantum suites,
// draft-ietf-jose-hpke-pq-pqt-00.
//
// [Seal] encrypts a plaintext to one recipient [PublicKey] and returns a
// JWE in compact serialization; [Open] decrypts it with a [KeySet].
// Integrated encryption (algs "HPKE-n") puts the HPKE encapsulated secret
// in the JWE Encrypted Key and the HPKE ciphertext in the JWE Ciphertext;
// the Initialization Vector and Authentication Tag are empty. Key
// encryption (algs "HPKE-n-KE", see [KeyEncryptionAlg]) uses HPKE to
// encrypt a random content encryption key and AES-GCM for the content, for
// interoperability with libraries that only do that mode. [SealGeneral]
// and [OpenGeneral] are the JSON serialization with several recipients
// (at most [MaxRecipients]) that sealed files use. [SealContext] also
// returns the HPKE [Context] whose exported secrets key the record streams
// of the root package and of package transport.
//
// # Algorithms
//
// Every key is bound to exactly one [Alg]; the alg in a JWE header must
// equal the alg of the key its kid names, so the sender never chooses how
// the receiver decrypts. [Algs] lists them all; [DefaultAlg] is HPKE-9.
//
//	alg      KEM                        KDF          AEAD
//	HPKE-0   DHKEM(P-256)               HKDF-SHA256  AES-128-GCM
//	HPKE-1   DHKEM(P-384)               HKDF-SHA384  AES-256-GCM
//	HPKE-2   DHKEM(P-521)               HKDF-SHA512  AES-256-GCM
//	HPKE-3   DHKEM(X25519)              HKDF-SHA256  AES-128-GCM       smallest envelopes
//	HPKE-4   DHKEM(X25519)              HKDF-SHA256  ChaCha20Poly1305
//	HPKE-5   DHKEM(X448)                HKDF-SHA512  AES-256-GCM
//	HPKE-6   DHKEM(X448)                HKDF-SHA512  ChaCha20Poly1305
//	HPKE-7   DHKEM(P-256)               HKDF-SHA256  AES-256-GCM
//	HPKE-8   MLKEM768-P256              SHAKE256     AES-256-GCM       post-quantum hybrid
//	HPKE-9   MLKEM768-X25519 (X-Wing)   SHAKE256     AES-256-GCM       post-quantum hybrid, the default
//	HPKE-10  MLKEM1024-P384             SHAKE256     AES-256-GCM       post-quantum hybrid
//	HPKE-12  ML-KEM-768                 SHAKE256     AES-256-GCM       post-quantum
//	HPKE-13  ML-KEM-1024                SHAKE256     AES-256-GCM       post-quantum
//
// Each also exists in key-encryption mode, named by the same alg with
// "-KE" appended, which has no constant of its own: KeyEncryptionAlg(HPKE9)
// ([KeyEncryptionAlg]) and Alg("HPKE-9-KE") are both HPKE-9-KE. The X448
// suites run on circl, the others on crypto/hpke. docs/PROTOCOL.md section
// 1.1 gives the code points and the JWK form of each key.
//
// # Keys
//
// [GenerateKey] makes a key named by its RFC 7638 thumbprint; a key read
// from a JWK ([ParsePrivateJWK], [ParsePublicJWK]) keeps its own kid.
// [ParsePrivatePEM] and [ParsePublicPEM] read PKCS#8, SEC 1 and PKIX, in
// PEM or DER, and a certificate's public key, as openssl genpkey and
// cert-manager write them; [PrivateKey.MarshalPEM] writes PKCS#8 and PKIX.
// A PEM key has no alg of its own: it gets its curve's default
// ([DefaultAlgFor]: P-256 HPKE-0, X25519 HPKE-3, ...) unless [WithAlg]
// names another (docs/PROTOCOL.md section 1.2).
//
// A private key that must not enter the process opens envelopes through an
// [crypto/ecdh.KeyExchanger] ([NewPrivateKeyFromKeyExchanger]: a PKCS#11
// token through package [github.com/sealjwt/sealjwt/pkcs11], or a cloud
// KMS: for AWS KMS, a KEY_AGREEMENT key whose ECDH(peer) sends
// peer.Bytes(), wrapped as a PKIX public key, to DeriveSharedSecret and
// returns the shared secret), or, for the post-quantum suites, a
// [crypto.Decapsulator] ([NewPrivateKeyFromDecapsulator]). The tests run
// these paths without a cloud (kms_test.go in the root package: a Signer,
// a KeyExchanger and a Decapsulator that forward to in-memory keys and
// count the calls), and docs/BENCHMARKS.md measures what they cost.
//
// # Key sets and rotation
//
// A [KeySet] is a receiver's private keys: one primary key, advertised
// first, which senders seal to, and older keys still accepted, so keys
// rotate without downtime: add the new key as primary, publish
// [KeySet.Public] (a [PublicKeySet], served as a JWKS by package transport),
// and drop the old key once nothing sealed to it is left (for files, that
// may be years). The sealjwt command does each step (keygen, keyset add,
// keyset pub, keyset drop; docs/OPERATIONS.md).
//
// # Strict input
//
// Input is parsed strictly: the size cap ([MaxEnvelopeSize], 64 KiB)
// first, exact segment counts, strict base64url, no duplicate JSON members,
// no crit, zip, jku, jwk, x5u or x5c, enc absent in integrated mode, and
// lengths checked before any HPKE call. Malformed input never panics, and
// every decryption failure is the same opaque [ErrDecryption].
package seal
