package sealjwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// Every benchmark here carries the same claims: iss, sub, aud, exp, iat,
// jti and one 200-byte string claim, and reports the token's size.

var benchData = strings.Repeat("d", 200)

type benchClaims struct {
	Sub  string `json:"sub"`
	Data string `json:"data"`
}

// fullClaims is the complete claim set, for the floor and the peers.
func fullClaims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": "billing", "sub": "order-4711", "aud": "ledger",
		"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(),
		"jti": "q2Xo3nF4x8bQeJ0nT6bYfA", "data": benchData,
	}
}

// acceptAll is a replay store that remembers nothing, so a benchmark can
// open one envelope repeatedly. The floor and the peers check no replay
// either.
type acceptAll struct{}

func (acceptAll) Check(context.Context, string, string, time.Time) error { return nil }

var messageCases = []struct{ suite, sig string }{
	{"HPKE-3", "EdDSA"},
	{"HPKE-0", "ES256"},
	{"HPKE-9", "EdDSA"},
	{"HPKE-9", "ML-DSA-44"},
}

func caseName(suite, sig string) string { return "suite=" + suite + "/sig=" + sig }

func BenchmarkMessageSeal(b *testing.B) {
	for _, c := range messageCases {
		b.Run(caseName(c.suite, c.sig), func(b *testing.B) {
			sender := newParty(b, "billing", seal.Alg(c.suite), token.Alg(c.sig))
			recv := newParty(b, "ledger", seal.Alg(c.suite), token.EdDSA)
			s, pub, ctx := sender.sealer(b), recv.pub(), context.Background()
			claims := benchClaims{"order-4711", benchData}
			var env string
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if env, err = s.Seal(ctx, pub, recv.id, claims); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(env)), "token-bytes")
		})
	}
}

func BenchmarkMessageOpen(b *testing.B) {
	for _, c := range messageCases {
		b.Run(caseName(c.suite, c.sig), func(b *testing.B) {
			sender := newParty(b, "billing", seal.Alg(c.suite), token.Alg(c.sig))
			recv := newParty(b, "ledger", seal.Alg(c.suite), token.EdDSA)
			env, err := sender.sealer(b).Seal(context.Background(), recv.pub(), recv.id, benchClaims{"order-4711", benchData})
			if err != nil {
				b.Fatal(err)
			}
			o, ctx := recv.opener(b, acceptAll{}, sender), context.Background()
			loopWithCPU(b, func() {
				if _, err := o.Open(ctx, env); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(len(env)), "token-bytes")
		})
	}
}

// signingInput is the JWS signing input of the benchmark claims plus a
// recipient claim of a thumbprint's length, so that the floor signs and
// seals as many bytes as a message carries.
func signingInput(b *testing.B, alg string) []byte {
	hdr, _ := json.Marshal(map[string]string{"alg": alg, "typ": token.Type, "kid": "k"})
	claims := fullClaims()
	claims[sealjwt.RecipientClaim] = strings.Repeat("t", 43)
	payload, err := json.Marshal(claims)
	if err != nil {
		b.Fatal(err)
	}
	return []byte(b64.EncodeToString(hdr) + "." + b64.EncodeToString(payload))
}

func BenchmarkMessageFloorSeal(b *testing.B) {
	for _, c := range messageCases {
		b.Run(caseName(c.suite, c.sig), func(b *testing.B) {
			sig, h, in := rawSigner(b, c.sig), rawSuite(b, c.suite), signingInput(b, c.sig)
			var ct []byte
			b.ReportAllocs()
			for b.Loop() {
				ct = floorSeal(sig, h, in)
			}
			b.ReportMetric(float64(b64.EncodedLen(len(ct))), "token-bytes")
		})
	}
}

func BenchmarkMessageFloorOpen(b *testing.B) {
	for _, c := range messageCases {
		b.Run(caseName(c.suite, c.sig), func(b *testing.B) {
			sig, h, in := rawSigner(b, c.sig), rawSuite(b, c.suite), signingInput(b, c.sig)
			ct := floorSeal(sig, h, in)
			loopWithCPU(b, func() { floorOpen(b, sig, h, ct, len(in)) })
			b.ReportMetric(float64(b64.EncodedLen(len(ct))), "token-bytes")
		})
	}
}

// BenchmarkPeer does the same job with go-jose and jwx: a nested JWT, ES256
// inside ECDH-ES+A128KW with A128GCM on P-256, the closest they offer to
// HPKE-0 with ES256.
func BenchmarkPeer(b *testing.B) {
	sigKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	encKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, p := range peers {
		seal, open := p.setup(b, sigKey, encKey)
		b.Run("lib="+p.name+"/op=Seal", func(b *testing.B) {
			var tok string
			b.ReportAllocs()
			for b.Loop() {
				tok = seal(b)
			}
			b.ReportMetric(float64(len(tok)), "token-bytes")
		})
		b.Run("lib="+p.name+"/op=Open", func(b *testing.B) {
			tok := seal(b)
			b.ReportAllocs()
			for b.Loop() {
				open(b, tok)
			}
			b.ReportMetric(float64(len(tok)), "token-bytes")
		})
	}
}

// BenchmarkRoundTrip is one message sealed and opened, ours against the
// peers' classical nested JWT (go-jose and jwx as in BenchmarkPeer, plus
// go-jose with direct ECDH-ES, which skips the key wrap), all in one run,
// so that their ratio does not depend on what else the machine is doing.
// Ours: the default (HPKE-9, X-Wing, with EdDSA) and HPKE-9 with ML-DSA-44.
func BenchmarkRoundTrip(b *testing.B) {
	for _, sig := range []string{"EdDSA", "ML-DSA-44"} {
		b.Run("lib=sealjwt/suite=HPKE-9/sig="+sig, func(b *testing.B) {
			sender := newParty(b, "billing", seal.HPKE9, token.Alg(sig))
			recv := newParty(b, "ledger", seal.HPKE9, token.EdDSA)
			s, pub, ctx := sender.sealer(b), recv.pub(), context.Background()
			o := recv.opener(b, acceptAll{}, sender)
			claims := benchClaims{"order-4711", benchData}
			loopWithCPU(b, func() {
				env, err := s.Seal(ctx, pub, recv.id, claims)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := o.Open(ctx, env); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	sigKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	encKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, p := range append(peers, peer{"gojose-direct", goJoseNestedDirect}) {
		seal, open := p.setup(b, sigKey, encKey)
		b.Run("lib="+p.name, func(b *testing.B) {
			loopWithCPU(b, func() { open(b, seal(b)) })
		})
	}
}

// loopWithCPU runs op b.N times and reports, beside the wall-clock time,
// the process's CPU time per operation (cpu-ns/op; run with -test.cpu=1 so
// that it is one core's work plus the collector's), which waiting for a
// core on a loaded machine does not inflate.
func loopWithCPU(b *testing.B, op func()) {
	b.ReportAllocs()
	start := processCPUTime()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(processCPUTime()-start)/float64(b.N), "cpu-ns/op")
}
