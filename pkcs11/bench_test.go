package pkcs11_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
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
	hsm := openKey(b, tok.URI("bench-p256"))
	memSigner, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	memECDH, _ := ecdh.P256().GenerateKey(rand.Reader)
	digest := sha256.Sum256([]byte("bench"))
	peer, _ := ecdh.P256().GenerateKey(rand.Reader)
	for _, k := range []struct {
		name   string
		signer crypto.Signer
		ke     ecdh.KeyExchanger
	}{{"softhsm", hsm, hsm}, {"memory", memSigner, memECDH}} {
		b.Run("op=sign/alg=ES256/key="+k.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := k.signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
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
