package token_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"
	"log"

	"github.com/sealjwt/sealjwt/token"
)

// kmsSigner has the shape of an adapter to a cloud KMS: Sign sends the
// digest to the service and returns its ASN.1 signature, as
// crypto.Signer does. For AWS KMS, Sign would call kms.Client.Sign with
// MessageType DIGEST and SigningAlgorithm ECDSA_SHA_256 on an
// ECC_NIST_P256 SIGN_VERIFY key, and Public would return the key from
// GetPublicKey, parsed with x509.ParsePKIXPublicKey. Here an in-memory
// key stands in for the service.
type kmsSigner struct {
	remote *ecdsa.PrivateKey // in the KMS; the process holds only its public half
	calls  int
}

func (s *kmsSigner) Public() crypto.PublicKey { return &s.remote.PublicKey }

func (s *kmsSigner) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	s.calls++ // one round trip to the service per token
	return ecdsa.SignASN1(rand.Reader, s.remote, digest)
}

// A key that never enters the process signs through any crypto.Signer: a
// KMS adapter as here, or a PKCS#11 token (package pkcs11). The key is
// named by the thumbprint of its public key, which receivers trust as
// usual.
func ExampleNewSigningKeyFromSigner() {
	remote, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	kms := &kmsSigner{remote: remote}
	key, err := token.NewSigningKeyFromSigner(token.ES256, kms)
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, "billing")
	tok, err := signer.Sign("ledger", nil)
	if err != nil {
		log.Fatal(err)
	}

	verifier, _ := token.NewVerifier("ledger")
	if err := verifier.Trust("billing", keys.Verifying()); err != nil {
		log.Fatal(err)
	}
	claims, err := verifier.Verify(tok)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Issuer, key.Alg(), kms.calls)
	// Output: billing ES256 1
}
