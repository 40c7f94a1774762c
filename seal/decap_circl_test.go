package seal

import (
	"bytes"
	"crypto/hpke"
	"errors"
	"testing"
)

// pqAlgs are the integrated algs whose private keys decapsulate through
// circl inside crypto/hpke.
var pqAlgs = []Alg{HPKE8, HPKE9, HPKE10, HPKE12, HPKE13}

// TestCirclDecapsulationMatchesStandardLibrary cross-checks the circl
// decapsulation that PQ private keys use against crypto/hpke's own on the
// same seed: the same secret for an honest encapsulation, the same
// implicit-rejection secret for a tampered ML-KEM ciphertext, and the same
// refusal of a small-order X25519 share.
func TestCirclDecapsulationMatchesStandardLibrary(t *testing.T) {
	for _, alg := range pqAlgs {
		t.Run(string(alg), func(t *testing.T) {
			sp, _ := lookupAlg(alg)
			k, err := stdBackend.generate(sp.suite)
			if err != nil {
				t.Fatal(err)
			}
			fast := k.(*stdPrivate)
			std, err := fast.st.kem.NewPrivateKey(fast.raw)
			if err != nil {
				t.Fatal(err)
			}
			if sameKind(std, fast.sk) {
				t.Fatal("the private key decapsulates through crypto/hpke's own ML-KEM, not circl's")
			}
			enc, _, err := hpke.NewSender(std.PublicKey(), fast.st.kdf, fast.st.aead, nil)
			if err != nil {
				t.Fatal(err)
			}
			tampered := bytes.Clone(enc)
			tampered[0] ^= 1
			encs := map[string][]byte{"honest": enc, "tampered ML-KEM ciphertext": tampered}
			if alg == HPKE9 {
				lowOrder := bytes.Clone(enc)
				clear(lowOrder[len(enc)-32:]) // the X25519 share: the point 0
				encs["small-order X25519 share"] = lowOrder
			}
			for name, e := range encs {
				want, errStd := exportAfterDecap(std, fast.st, e)
				got, errFast := exportAfterDecap(fast.sk, fast.st, e)
				if (errStd == nil) != (errFast == nil) {
					t.Fatalf("%s: crypto/hpke says %v, circl says %v", name, errStd, errFast)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s: the two decapsulations give different secrets", name)
				}
			}
		})
	}
}

func exportAfterDecap(sk hpke.PrivateKey, st *stdSuite, enc []byte) ([]byte, error) {
	r, err := hpke.NewRecipient(enc, sk, st.kdf, st.aead, nil)
	if err != nil {
		return nil, err
	}
	return r.Export("cross-check", 32)
}

// sameKind reports whether two keys are of one concrete type: a key made
// by NewPrivateKey and one wrapping circl both are crypto/hpke's, so this
// looks at whether they serialize (only crypto/hpke's own expansion keeps
// the seed).
func sameKind(a, b hpke.PrivateKey) bool {
	_, errA := a.Bytes()
	_, errB := b.Bytes()
	return (errA == nil) == (errB == nil)
}

// TestCirclDecapsulationRefusesAMismatchedSeed: a key whose circl
// expansion did not give crypto/hpke's public key is refused, not used.
func TestCirclDecapsulationRefusesAMismatchedSeed(t *testing.T) {
	sp, _ := lookupAlg(HPKE9)
	a, _ := stdBackend.generate(sp.suite)
	b, _ := stdBackend.generate(sp.suite)
	other := b.(*stdPrivate)
	if _, err := circlDecapsulationKey(kemXWing, a.bytes(), other.sk); err == nil {
		t.Fatal("accepted a seed whose public key is another key's")
	}
}

// TestConcurrentOpensShareOneKey: one PQ private key opens envelopes from
// many goroutines at once, so its expanded circl form must only ever be
// read (run with -race), and every open must still give the right bytes.
func TestConcurrentOpensShareOneKey(t *testing.T) {
	for _, alg := range []Alg{HPKE9, HPKE12} {
		t.Run(string(alg), func(t *testing.T) {
			key, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			ks, _ := NewKeySet(key)
			const workers = 4
			envs := make([]string, workers)
			for i := range envs {
				if envs[i], err = Seal(key.Public(), []byte{byte(i)}); err != nil {
					t.Fatal(err)
				}
			}
			errs := make(chan error, workers)
			for i, env := range envs {
				go func() {
					for range 5 {
						got, err := Open(ks, env)
						if err == nil && !bytes.Equal(got.Plaintext, []byte{byte(i)}) {
							err = errors.New("opened another envelope's plaintext")
						}
						if err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for range workers {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
