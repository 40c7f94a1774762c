package sealjwt_test

import (
	"context"
	"crypto/ecdh"
	"testing"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// BenchmarkOpaqueKey compares Seal (ES256 signing) and Open (HPKE-0) with a
// software key behind crypto.Signer / ecdh.KeyExchanger against the same
// kind of key held in memory: what the opaque interfaces themselves cost,
// without a KMS's round trip.
func BenchmarkOpaqueKey(b *testing.B) {
	ctx := context.Background()
	memory := newParty(b, "billing", seal.HPKE0, token.ES256)
	opaque := kmsParty(b, "billing", newKMSSigner(b, token.ES256), token.ES256,
		kmsSealKey(b, seal.HPKE0, newKMSKeyExchanger(b, ecdh.P256()), nil))
	claims := benchClaims{"order-4711", benchData}
	for _, p := range []struct {
		name string
		p    *party
	}{{"memory", memory}, {"opaque", opaque}} {
		b.Run("op=Seal/key="+p.name, func(b *testing.B) {
			s, pub := p.p.sealer(b), memory.pub()
			for b.Loop() {
				if _, err := s.Seal(ctx, pub, "ledger", claims); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=Open/key="+p.name, func(b *testing.B) {
			env, err := memory.sealer(b).Seal(ctx, p.p.pub(), "billing", claims)
			if err != nil {
				b.Fatal(err)
			}
			o := p.p.opener(b, acceptAll{}, memory)
			for b.Loop() {
				if _, err := o.Open(ctx, env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
