package main

import (
	"strings"

	"github.com/sealjwt/sealjwt/seal"
)

// sealSuites names the KEM, KDF and AEAD of each integrated alg, for
// people reading the demo.
var sealSuites = map[seal.Alg]string{
	seal.HPKE0:  "DHKEM(P-256), HKDF-SHA256, AES-128-GCM",
	seal.HPKE1:  "DHKEM(P-384), HKDF-SHA384, AES-256-GCM",
	seal.HPKE2:  "DHKEM(P-521), HKDF-SHA512, AES-256-GCM",
	seal.HPKE3:  "DHKEM(X25519), HKDF-SHA256, AES-128-GCM",
	seal.HPKE4:  "DHKEM(X25519), HKDF-SHA256, ChaCha20Poly1305",
	seal.HPKE5:  "DHKEM(X448), HKDF-SHA512, AES-256-GCM",
	seal.HPKE6:  "DHKEM(X448), HKDF-SHA512, ChaCha20Poly1305",
	seal.HPKE7:  "DHKEM(P-256), HKDF-SHA256, AES-256-GCM",
	seal.HPKE8:  "post-quantum hybrid MLKEM768-P256, SHAKE256, AES-256-GCM",
	seal.HPKE9:  "post-quantum hybrid X-Wing: ML-KEM-768 + X25519, SHAKE256, AES-256-GCM",
	seal.HPKE10: "post-quantum hybrid MLKEM1024-P384, SHAKE256, AES-256-GCM",
	seal.HPKE12: "post-quantum ML-KEM-768, SHAKE256, AES-256-GCM",
	seal.HPKE13: "post-quantum ML-KEM-1024, SHAKE256, AES-256-GCM",
}

// describeSuite is the suite of any alg; a key encryption alg is its
// integrated alg's suite used to encrypt a content key.
func describeSuite(a seal.Alg) string {
	if a.KeyEncryption() {
		return sealSuites[seal.Alg(strings.TrimSuffix(string(a), "-KE"))] + "; key encryption mode"
	}
	return sealSuites[a]
}
