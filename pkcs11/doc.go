// Package pkcs11 uses private keys held in a PKCS#11 token (an HSM, a
// smart card, SoftHSM2) without their leaving it: [Open] finds the key an
// RFC 7512 pkcs11: URI names ([URI], [ParseURI]), such as
//
//	pkcs11:token=LABEL;object=LABEL?pin-source=file:PIN-FILE&module-path=MODULE.so
//
// (the module path may come from $SEALJWT_PKCS11_MODULE instead,
// [ModuleEnv]). The [Key] is a [crypto.Signer] (ECDSA P-256/384/521 through
// CKM_ECDSA, RSA through CKM_RSA_PKCS and CKM_RSA_PKCS_PSS, Ed25519
// through CKM_EDDSA) for
// [github.com/sealjwt/sealjwt/token.NewSigningKeyFromSigner], and, for an
// EC (Weierstrass) key, an [crypto/ecdh.KeyExchanger] (CKM_ECDH1_DERIVE,
// [Key.KeyExchanger]) for
// [github.com/sealjwt/sealjwt/seal.NewPrivateKeyFromKeyExchanger]: a
// receiver opens envelopes sealed to a P-256, P-384 or P-521 HPKE key
// that stays in the token. [Key.Protection] reports whether the token
// marks the key sensitive and not extractable.
//
// The tests run against SoftHSM2 (Debian softhsm2), and docs/BENCHMARKS.md
// measures what a token costs per operation. The sealjwt command takes
// such a URI wherever it takes a key file (docs/OPERATIONS.md).
//
// This package links the PKCS#11 binding (github.com/miekg/pkcs11, cgo);
// the sealjwt, seal and token packages do not.
package pkcs11
