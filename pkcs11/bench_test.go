package pkcs11_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/sealjwt/sealjwt/internal/softhsm"
)

// BenchmarkSoftHSM records what one operation costs through PKCS#11 on
// SoftHSM2 (a software token in the same process: the call and session
// overhead, not a hardware HSM's latency).
func BenchmarkSoftHSM(b *testing.B) {
	tok := softhsm.New(b)
	tok.GenerateEC(b, "bench-p256", "P-256")
	k := openKey(b, tok.URI("bench-p256"))
	digest := sha256.Sum256([]byte("bench"))
	b.Run("op=sign/alg=ES256", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	peer, _ := ecdh.P256().GenerateKey(rand.Reader)
	b.Run("op=ECDH/curve=P-256", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.ECDH(peer.PublicKey()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
