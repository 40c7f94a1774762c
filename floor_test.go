package sealjwt_test

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hpke"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/base64"
	"math/big"
	"testing"

	"github.com/cloudflare/circl/dh/x25519"
	circl "github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
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

// rawHPKE is single-shot HPKE through the faster library for each half of
// the suite (the ones the seal package uses): circl for X25519; crypto/hpke
// otherwise, decapsulating X-Wing through circl's ML-KEM and X25519.
type rawHPKE struct {
	seal func(pt []byte) []byte
	open func(ct []byte) []byte
}

func rawStdHPKE(tb testing.TB, sk hpke.PrivateKey, aead hpke.AEAD, kdf hpke.KDF) rawHPKE {
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
		sk, err := hpke.DHKEM(ecdh.P256()).GenerateKey()
		if err != nil {
			tb.Fatal(err)
		}
		return rawStdHPKE(tb, sk, hpke.AES128GCM(), hpke.HKDFSHA256())
	case "HPKE-9":
		return rawXWing(tb)
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

// rawXWing seals HPKE-9 with crypto/hpke and opens it with crypto/hpke
// over a private key whose ML-KEM-768 and X25519 halves are circl's,
// expanded from the seed as draft-ietf-hpke-pq says.
func rawXWing(tb testing.TB) rawHPKE {
	seed := make([]byte, 32)
	rand.Read(seed)
	std, err := hpke.MLKEM768X25519().NewPrivateKey(seed)
	if err != nil {
		tb.Fatal(err)
	}
	xof := sha3.NewSHAKE256()
	xof.Write(seed)
	seedPQ := make([]byte, mlkem768.KeySeedSize)
	xof.Read(seedPQ)
	pq := rawMLKEM{}
	_, pq.sk = mlkem768.NewKeyFromSeed(seedPQ)
	if pq.ek, err = mlkem.NewEncapsulationKey768(std.PublicKey().Bytes()[:mlkem.EncapsulationKeySize768]); err != nil {
		tb.Fatal(err)
	}
	var t rawX25519
	xof.Read(t.sk[:])
	t.pub, _ = ecdh.X25519().NewPublicKey(std.PublicKey().Bytes()[mlkem.EncapsulationKeySize768:])
	fast, err := hpke.NewHybridPrivateKey(pq, t)
	if err != nil {
		tb.Fatal(err)
	}
	h := rawStdHPKE(tb, std, hpke.AES256GCM(), hpke.SHAKE256())
	h.open = func(ct []byte) []byte {
		pt, err := hpke.Open(fast, hpke.SHAKE256(), hpke.AES256GCM(), nil, ct)
		if err != nil {
			tb.Fatal(err)
		}
		return pt
	}
	return h
}

type rawMLKEM struct {
	sk *mlkem768.PrivateKey
	ek crypto.Encapsulator
}

func (k rawMLKEM) Encapsulator() crypto.Encapsulator { return k.ek }
func (k rawMLKEM) Decapsulate(ct []byte) ([]byte, error) {
	ss := make([]byte, mlkem768.SharedKeySize)
	k.sk.DecapsulateTo(ss, ct)
	return ss, nil
}

type rawX25519 struct {
	sk  x25519.Key
	pub *ecdh.PublicKey
}

func (k rawX25519) Curve() ecdh.Curve          { return ecdh.X25519() }
func (k rawX25519) PublicKey() *ecdh.PublicKey { return k.pub }
func (k rawX25519) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	var pub, ss x25519.Key
	copy(pub[:], peer.Bytes())
	x25519.Shared(&ss, &k.sk, &pub)
	return ss[:], nil
}
