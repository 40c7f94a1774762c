package seal

import (
	"crypto/hpke"
	"crypto/rand"
	"testing"

	circl "github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
	"github.com/cloudflare/circl/kem/xwing"
)

// Benchmarks compare our envelope against the raw HPKE it is built on.
// Floor* is the fastest raw single-shot HPKE for the same suite (crypto/hpke
// or circl, whichever is faster, see BenchmarkBackend): key already parsed,
// one encapsulation or decapsulation, one AEAD operation with an aad of a
// protected header's length. Our Seal and Open add the JOSE layer on top.
//
//	go test -run='^$' -bench='Seal|Open' -count=6 ./seal

var benchAlgs = []Alg{HPKE0, HPKE3, HPKE9}

func benchPlaintext() []byte {
	pt := make([]byte, 256)
	rand.Read(pt)
	return pt
}

func BenchmarkSeal(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			key, _ := GenerateKey(alg)
			pub, pt := key.Public(), benchPlaintext()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Seal(pub, pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			key, _ := GenerateKey(alg)
			ks, _ := NewKeySet(key)
			env, _ := Seal(key.Public(), benchPlaintext())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Open(ks, env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// rawSuite is one suite in one raw library, for floors and for choosing a
// backend.
type rawSuite interface {
	seal(aad, pt []byte) (enc, ct []byte)
	open(enc, aad, ct []byte) []byte
}

func BenchmarkFloorSeal(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			r := newRawSuite(b, alg, floorBackend(alg))
			aad, pt := benchAAD(), benchPlaintext()
			b.ReportAllocs()
			for b.Loop() {
				r.seal(aad, pt)
			}
		})
	}
}

func BenchmarkFloorOpen(b *testing.B) {
	for _, alg := range benchAlgs {
		b.Run("alg="+string(alg), func(b *testing.B) {
			r := newRawSuite(b, alg, floorBackend(alg))
			aad, pt := benchAAD(), benchPlaintext()
			enc, ct := r.seal(aad, pt)
			b.ReportAllocs()
			for b.Loop() {
				r.open(enc, aad, ct)
			}
		})
	}
}

// BenchmarkBackend measures both raw libraries on every suite they share;
// it is how backendFor's choice was made. Run with -bench=Backend.
func BenchmarkBackend(b *testing.B) {
	for _, alg := range []Alg{HPKE0, HPKE1, HPKE2, HPKE3, HPKE4, HPKE7} {
		for _, be := range []string{"crypto-hpke", "circl"} {
			r := newRawSuite(b, alg, be)
			aad, pt := benchAAD(), benchPlaintext()
			enc, ct := r.seal(aad, pt)
			b.Run("alg="+string(alg)+"/lib="+be+"/op=seal", func(b *testing.B) {
				for b.Loop() {
					r.seal(aad, pt)
				}
			})
			b.Run("alg="+string(alg)+"/lib="+be+"/op=open", func(b *testing.B) {
				for b.Loop() {
					r.open(enc, aad, ct)
				}
			})
		}
	}
}

// floorBackend is the faster raw library for alg's suite.
func floorBackend(alg Alg) string {
	sp, _ := lookupAlg(alg)
	if backendFor(sp.suite) == circlBackend {
		return "circl"
	}
	return "crypto-hpke"
}

// benchAAD has the length of an encoded protected header {"alg","kid"}.
func benchAAD() []byte {
	key, _ := GenerateKey(HPKE3)
	return []byte(key.pub.header)
}

func newRawSuite(tb testing.TB, alg Alg, lib string) rawSuite {
	tb.Helper()
	sp, _ := lookupAlg(alg)
	s := sp.suite
	if lib == "circl" {
		cs := circl.NewSuite(circl.KEM(s.kem), circl.KDF(s.kdf), circl.AEAD(s.aead))
		pk, sk, err := circl.KEM(s.kem).Scheme().GenerateKeyPair()
		if err != nil {
			tb.Fatal(err)
		}
		return &rawCircl{tb: tb, s: cs, pk: pk, sk: sk}
	}
	k, _ := hpke.NewKEM(s.kem)
	f, _ := hpke.NewKDF(s.kdf)
	a, _ := hpke.NewAEAD(s.aead)
	sk, err := k.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	return &rawStd{tb: tb, kdf: f, aead: a, sk: sk, pk: sk.PublicKey()}
}

type rawStd struct {
	tb   testing.TB
	kdf  hpke.KDF
	aead hpke.AEAD
	sk   hpke.PrivateKey
	pk   hpke.PublicKey
}

func (r *rawStd) seal(aad, pt []byte) ([]byte, []byte) {
	enc, s, err := hpke.NewSender(r.pk, r.kdf, r.aead, nil)
	if err != nil {
		r.tb.Fatal(err)
	}
	ct, err := s.Seal(aad, pt)
	if err != nil {
		r.tb.Fatal(err)
	}
	return enc, ct
}

func (r *rawStd) open(enc, aad, ct []byte) []byte {
	rc, err := hpke.NewRecipient(enc, r.sk, r.kdf, r.aead, nil)
	if err != nil {
		r.tb.Fatal(err)
	}
	pt, err := rc.Open(aad, ct)
	if err != nil {
		r.tb.Fatal(err)
	}
	return pt
}

type rawCircl struct {
	tb testing.TB
	s  circl.Suite
	pk kem.PublicKey
	sk kem.PrivateKey
}

func (r *rawCircl) seal(aad, pt []byte) ([]byte, []byte) {
	snd, err := r.s.NewSender(r.pk, nil)
	if err != nil {
		r.tb.Fatal(err)
	}
	enc, sealer, err := snd.Setup(rand.Reader)
	if err != nil {
		r.tb.Fatal(err)
	}
	ct, err := sealer.Seal(pt, aad)
	if err != nil {
		r.tb.Fatal(err)
	}
	return enc, ct
}

func (r *rawCircl) open(enc, aad, ct []byte) []byte {
	rcv, err := r.s.NewReceiver(r.sk, nil)
	if err != nil {
		r.tb.Fatal(err)
	}
	o, err := rcv.Setup(enc)
	if err != nil {
		r.tb.Fatal(err)
	}
	pt, err := o.Open(ct, aad)
	if err != nil {
		r.tb.Fatal(err)
	}
	return pt
}

// BenchmarkKEM compares the two libraries on the post-quantum suites, where
// circl cannot run the whole suite (it has no SHAKE256 KDF). decap is
// crypto/hpke's NewRecipient (decapsulation, combiner, key schedule) with
// the key expanded by crypto/hpke or by circl (what PrivateKey uses, see
// decap_circl.go); encap is crypto/hpke's NewSender against circl's bare
// KEM encapsulation, which has no key schedule and which crypto/hpke cannot
// take, for scale. Run with -bench=KEM.
func BenchmarkKEM(b *testing.B) {
	circlKEM := map[Alg]kem.Scheme{HPKE9: xwing.Scheme(), HPKE12: mlkem768.Scheme(), HPKE13: mlkem1024.Scheme()}
	for _, alg := range pqAlgs {
		sp, _ := lookupAlg(alg)
		k, err := stdBackend.generate(sp.suite)
		if err != nil {
			b.Fatal(err)
		}
		fast := k.(*stdPrivate)
		std, err := fast.st.kem.NewPrivateKey(fast.raw)
		if err != nil {
			b.Fatal(err)
		}
		pub := std.PublicKey()
		enc, _, err := hpke.NewSender(pub, fast.st.kdf, fast.st.aead, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("alg="+string(alg)+"/lib=crypto-hpke/op=encap", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := hpke.NewSender(pub, fast.st.kdf, fast.st.aead, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		if s, ok := circlKEM[alg]; ok {
			cpk, err := s.UnmarshalBinaryPublicKey(pub.Bytes())
			if err != nil {
				b.Fatal(err)
			}
			b.Run("alg="+string(alg)+"/lib=circl/op=encap-kem-only", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := s.Encapsulate(cpk); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		for _, c := range []struct {
			lib string
			sk  hpke.PrivateKey
		}{{"crypto-hpke", std}, {"circl", fast.sk}} {
			b.Run("alg="+string(alg)+"/lib="+c.lib+"/op=decap", func(b *testing.B) {
				for b.Loop() {
					if _, err := hpke.NewRecipient(enc, c.sk, fast.st.kdf, fast.st.aead, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkParsePrivateJWK is the once-per-key cost, which for the
// post-quantum algs includes expanding the seed in both libraries.
func BenchmarkParsePrivateJWK(b *testing.B) {
	for _, alg := range []Alg{HPKE3, HPKE9, HPKE12} {
		k, err := GenerateKey(alg)
		if err != nil {
			b.Fatal(err)
		}
		j, err := k.MarshalJSON()
		if err != nil {
			b.Fatal(err)
		}
		b.Run("alg="+string(alg), func(b *testing.B) {
			for b.Loop() {
				if _, err := ParsePrivateJWK(j); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
