package seal

import (
	"crypto/hpke"
	"crypto/rand"
	"testing"

	circl "github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem"
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
