package sealjwt_test

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"testing"

	circl "github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
)

// The floor: the raw primitives a nested token cannot do without, called
// directly. Signing input is precomputed; the floor does not encode claims.

var b64 = base64.RawURLEncoding

// rawSig signs and verifies JWS signing input with the bare primitive.
type rawSig struct {
	sign   func(msg []byte) []byte
	verify func(msg, sig []byte) bool
}

func rawEdDSA(tb testing.TB) rawSig {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return rawSig{
		sign:   func(m []byte) []byte { return ed25519.Sign(priv, m) },
		verify: func(m, s []byte) bool { return ed25519.Verify(pub, m, s) },
	}
}

func rawES256(tb testing.TB) rawSig {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return rawSig{
		sign: func(m []byte) []byte {
			h := sha256.Sum256(m)
			r, s, err := ecdsa.Sign(rand.Reader, priv, h[:])
			if err != nil {
				tb.Fatal(err)
			}
			return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
		},
		verify: func(m, sig []byte) bool {
			h := sha256.Sum256(m)
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return ecdsa.Verify(&priv.PublicKey, h[:], r, s)
		},
	}
}

func rawMLDSA44(tb testing.TB) rawSig {
	pub, priv, _ := mldsa44.GenerateKey(rand.Reader)
	return rawSig{
		sign: func(m []byte) []byte {
			sig := make([]byte, mldsa44.SignatureSize)
			if err := mldsa44.SignTo(priv, m, nil, true, sig); err != nil { // hedged, as ours
				tb.Fatal(err)
			}
			return sig
		},
		verify: func(m, s []byte) bool { return mldsa44.Verify(pub, m, nil, s) },
	}
}

// rawHPKE is single-shot HPKE through the faster library for the suite
// (the one the seal package uses): circl for X25519, crypto/hpke otherwise.
type rawHPKE struct {
	seal func(pt []byte) []byte
	open func(ct []byte) []byte
}

func rawStdHPKE(tb testing.TB, kem hpke.KEM, aead hpke.AEAD, kdf hpke.KDF) rawHPKE {
	sk, err := kem.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	pk := sk.PublicKey()
	return rawHPKE{
		seal: func(pt []byte) []byte {
			ct, err := hpke.Seal(pk, kdf, aead, nil, pt)
			if err != nil {
				tb.Fatal(err)
			}
			return ct
		},
		open: func(ct []byte) []byte {
			pt, err := hpke.Open(sk, kdf, aead, nil, ct)
			if err != nil {
				tb.Fatal(err)
			}
			return pt
		},
	}
}

func rawCirclX25519(tb testing.TB) rawHPKE {
	s := circl.NewSuite(circl.KEM_X25519_HKDF_SHA256, circl.KDF_HKDF_SHA256, circl.AEAD_AES128GCM)
	pk, sk, err := circl.KEM_X25519_HKDF_SHA256.Scheme().GenerateKeyPair()
	if err != nil {
		tb.Fatal(err)
	}
	return rawHPKE{
		seal: func(pt []byte) []byte {
			snd, _ := s.NewSender(pk, nil)
			enc, sealer, err := snd.Setup(rand.Reader)
			if err != nil {
				tb.Fatal(err)
			}
			ct, _ := sealer.Seal(pt, nil)
			return append(enc, ct...)
		},
		open: func(ct []byte) []byte {
			rcv, _ := s.NewReceiver(sk, nil)
			opener, err := rcv.Setup(ct[:32])
			if err != nil {
				tb.Fatal(err)
			}
			pt, err := opener.Open(ct[32:], nil)
			if err != nil {
				tb.Fatal(err)
			}
			return pt
		},
	}
}

func rawSuite(tb testing.TB, suite string) rawHPKE {
	switch suite {
	case "HPKE-3":
		return rawCirclX25519(tb)
	case "HPKE-0":
		return rawStdHPKE(tb, hpke.DHKEM(ecdh.P256()), hpke.AES128GCM(), hpke.HKDFSHA256())
	case "HPKE-9":
		return rawStdHPKE(tb, hpke.MLKEM768X25519(), hpke.AES256GCM(), hpke.SHAKE256())
	}
	tb.Fatalf("no floor for %s", suite)
	return rawHPKE{}
}

func rawSigner(tb testing.TB, alg string) rawSig {
	switch alg {
	case "EdDSA":
		return rawEdDSA(tb)
	case "ES256":
		return rawES256(tb)
	case "ML-DSA-44":
		return rawMLDSA44(tb)
	}
	tb.Fatalf("no floor for %s", alg)
	return rawSig{}
}

// floorSeal is sign then seal with nothing else: the signing input is
// given, the signature is appended, the JWS is sealed.
func floorSeal(sig rawSig, h rawHPKE, signingInput []byte) []byte {
	s := sig.sign(signingInput)
	jws := make([]byte, 0, len(signingInput)+1+b64.EncodedLen(len(s)))
	jws = append(append(jws, signingInput...), '.')
	jws = b64.AppendEncode(jws, s)
	return h.seal(jws)
}

// floorOpen is open then verify with nothing else.
func floorOpen(tb testing.TB, sig rawSig, h rawHPKE, ct []byte, inputLen int) {
	jws := h.open(ct)
	s, err := b64.DecodeString(string(jws[inputLen+1:]))
	if err != nil || !sig.verify(jws[:inputLen], s) {
		tb.Fatal("floor verify failed")
	}
}
