package pkcs11_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/sealjwt/sealjwt/internal/softhsm"
)

// BenchmarkSoftHSM records what one operation costs through PKCS#11 on
// SoftHSM2 (a software token in the same process: the call, session and
// object overhead, not a hardware HSM's latency), beside the same
// operation with a key in memory, in the same run.
func BenchmarkSoftHSM(b *testing.B) {
	tok := softhsm.New(b)
	tok.GenerateEC(b, "bench-p256", "P-256")
	tok.GenerateEd25519(b, "bench-ed25519")
	hsm, hsmEd := openKey(b, tok.URI("bench-p256")), openKey(b, tok.URI("bench-ed25519"))
	memSigner, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, memEd, _ := ed25519.GenerateKey(rand.Reader)
	memECDH, _ := ecdh.P256().GenerateKey(rand.Reader)
	digest := sha256.Sum256([]byte("bench"))
	signingInput := make([]byte, 200) // about an EdDSA JWS signing input's size
	peer, _ := ecdh.P256().GenerateKey(rand.Reader)
	for _, k := range []struct {
		name   string
		signer crypto.Signer
		ke     ecdh.KeyExchanger
		ed     crypto.Signer
	}{{"softhsm", hsm, hsm, hsmEd}, {"memory", memSigner, memECDH, memEd}} {
		b.Run("op=sign/alg=ES256/key="+k.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := k.signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=sign/alg=EdDSA/key="+k.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := k.ed.Sign(rand.Reader, signingInput, crypto.Hash(0)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=ECDH/curve=P-256/key="+k.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := k.ke.ECDH(peer.PublicKey()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
