package seal

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/mlkem"
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/cloudflare/circl/dh/x25519"
	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"
)

// The post-quantum suites seal through crypto/hpke alone (circl has no
// SHAKE256 KDF, and crypto/hpke takes no outside encapsulation), but
// crypto/hpke decapsulates through any crypto.Decapsulator and
// ecdh.KeyExchanger. circl's ML-KEM (AVX2) and X25519 (MULX) decapsulate
// in about a third of the standard library's time (BenchmarkKEM), so a
// private key on these suites is expanded once into circl's form and handed
// to crypto/hpke, which still runs the combiner, the key schedule and the
// AEAD. The keys are checked against the standard library's own expansion
// of the same seed when they are made.

// circlDecapsulationKey returns std's KEM with decapsulation done by circl,
// for a private key seed, or nil when the KEM has no circl counterpart. The
// result must have std's public key, or the seed is refused.
func circlDecapsulationKey(kemID uint16, seed []byte, std hpke.PrivateKey) (hpke.PrivateKey, error) {
	var fast hpke.PrivateKey
	var err error
	switch kemID {
	case kemMLKEM768:
		var pq crypto.Decapsulator
		if pq, err = newCirclMLKEM(mlkem768.Scheme(), seed); err == nil {
			fast, err = hpke.NewMLKEMPrivateKey(pq)
		}
	case kemMLKEM1024:
		var pq crypto.Decapsulator
		if pq, err = newCirclMLKEM(mlkem1024.Scheme(), seed); err == nil {
			fast, err = hpke.NewMLKEMPrivateKey(pq)
		}
	case kemXWing:
		fast, err = newCirclHybrid(mlkem768.Scheme(), nil, 32, seed)
	case kemMLKEM768P256:
		fast, err = newCirclHybrid(mlkem768.Scheme(), ecdh.P256(), 32, seed)
	case kemMLKEM1024P384:
		fast, err = newCirclHybrid(mlkem1024.Scheme(), ecdh.P384(), 48, seed)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(fast.PublicKey().Bytes(), std.PublicKey().Bytes()) {
		return nil, errors.New("circl and crypto/hpke expand the seed to different keys")
	}
	return fast, nil
}

// newCirclHybrid expands a hybrid KEM seed as draft-ietf-hpke-pq does
// (and crypto/hpke's NewPrivateKey): SHAKE256(seed) gives the ML-KEM seed,
// then the curve's scalar of scalarSize bytes, drawn again until the curve
// accepts one. curve nil is X25519, through circl; the NIST curves stay on
// crypto/ecdh.
func newCirclHybrid(scheme kem.Scheme, curve ecdh.Curve, scalarSize int, seed []byte) (hpke.PrivateKey, error) {
	if len(seed) != 32 {
		return nil, fmt.Errorf("hybrid KEM seed of %d bytes, want 32", len(seed))
	}
	xof := sha3.NewSHAKE256()
	xof.Write(seed)
	seedPQ := make([]byte, scheme.SeedSize())
	defer clear(seedPQ)
	xof.Read(seedPQ)
	pq, err := newCirclMLKEM(scheme, seedPQ)
	if err != nil {
		return nil, err
	}
	if curve == nil {
		var x circlX25519
		xof.Read(x.sk[:])
		var pub x25519.Key
		x25519.KeyGen(&pub, &x.sk)
		if x.pub, err = ecdh.X25519().NewPublicKey(pub[:]); err != nil {
			return nil, err
		}
		return hpke.NewHybridPrivateKey(pq, &x)
	}
	seedT := make([]byte, scalarSize)
	defer clear(seedT)
	for {
		xof.Read(seedT)
		if t, err := curve.NewPrivateKey(seedT); err == nil {
			return hpke.NewHybridPrivateKey(pq, t)
		}
	}
}

// circlMLKEM is an ML-KEM decapsulation key expanded by circl, whose
// Encapsulator is the standard library's, as crypto/hpke requires.
type circlMLKEM struct {
	scheme kem.Scheme
	sk     kem.PrivateKey
	ek     crypto.Encapsulator
}

func newCirclMLKEM(scheme kem.Scheme, seed []byte) (*circlMLKEM, error) {
	if len(seed) != scheme.SeedSize() {
		return nil, fmt.Errorf("ML-KEM seed of %d bytes, want %d", len(seed), scheme.SeedSize())
	}
	pk, sk := scheme.DeriveKeyPair(seed)
	raw, err := pk.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var ek crypto.Encapsulator
	if scheme == mlkem768.Scheme() {
		ek, err = mlkem.NewEncapsulationKey768(raw)
	} else {
		ek, err = mlkem.NewEncapsulationKey1024(raw)
	}
	if err != nil {
		return nil, err
	}
	return &circlMLKEM{scheme: scheme, sk: sk, ek: ek}, nil
}

func (k *circlMLKEM) Encapsulator() crypto.Encapsulator { return k.ek }

// Decapsulate is ML-KEM.Decaps, implicit rejection included: a ciphertext
// of the right length never fails, a wrong one gives a pseudorandom key.
func (k *circlMLKEM) Decapsulate(ct []byte) (ss []byte, err error) {
	defer recoverAs(&err, ErrDecryption)
	return k.scheme.Decapsulate(k.sk, ct)
}

// circlX25519 is an X25519 private key for crypto/hpke's hybrid KEM, with
// the ladder done by circl. It is never modified after it is made.
type circlX25519 struct {
	sk  x25519.Key
	pub *ecdh.PublicKey
}

var errLowOrder = errors.New("X25519 peer key of small order")

func (k *circlX25519) Curve() ecdh.Curve          { return ecdh.X25519() }
func (k *circlX25519) PublicKey() *ecdh.PublicKey { return k.pub }

// ECDH refuses an all-zero result, as crypto/ecdh does: the peer's point
// was of small order.
func (k *circlX25519) ECDH(peer *ecdh.PublicKey) ([]byte, error) {
	if peer.Curve() != ecdh.X25519() {
		return nil, errors.New("X25519 key exchange with a key on another curve")
	}
	var pub, ss x25519.Key
	copy(pub[:], peer.Bytes())
	ok := x25519.Shared(&ss, &k.sk, &pub)
	var zero x25519.Key
	if !ok || subtle.ConstantTimeCompare(ss[:], zero[:]) == 1 {
		return nil, errLowOrder
	}
	return ss[:], nil
}
