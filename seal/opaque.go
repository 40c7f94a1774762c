package seal

import (
	"crypto"
	"crypto/ecdh"
	"crypto/hpke"
	"fmt"
)

// NewPrivateKeyFromKeyExchanger returns a private key for a DHKEM alg on
// the NIST curves or X25519 (HPKE-0, 1, 2, 3, 4, 7 and their -KE forms)
// whose private half stays behind priv: an HSM, a PKCS#11 token or a KMS
// that offers ECDH. Opening calls priv.ECDH once per envelope; the key is
// never read. Its kid is the RFC 7638 thumbprint of its public key. The
// returned key has no private JWK.
func NewPrivateKeyFromKeyExchanger(alg Alg, priv ecdh.KeyExchanger) (*PrivateKey, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil ecdh.KeyExchanger", ErrInvalidKey)
	}
	sk, err := hpke.NewDHKEMPrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newOpaqueKey(alg, sk)
}

// NewPrivateKeyFromDecapsulator returns a private key for an ML-KEM alg
// whose private half stays behind pq: HPKE-12 and HPKE-13 with t nil, or
// a hybrid alg (HPKE-8, HPKE-9, HPKE-10) with t the key exchange half on
// its curve. The returned key has no private JWK.
func NewPrivateKeyFromDecapsulator(alg Alg, pq crypto.Decapsulator, t ecdh.KeyExchanger) (*PrivateKey, error) {
	if pq == nil {
		return nil, fmt.Errorf("%w: nil crypto.Decapsulator", ErrInvalidKey)
	}
	var sk hpke.PrivateKey
	var err error
	if t == nil {
		sk, err = hpke.NewMLKEMPrivateKey(pq)
	} else {
		sk, err = hpke.NewHybridPrivateKey(pq, t)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newOpaqueKey(alg, sk)
}

// newOpaqueKey binds an opaque crypto/hpke private key to alg, whose KEM
// must be the key's, and reads its public half into the backend that
// seals to alg.
func newOpaqueKey(alg Alg, sk hpke.PrivateKey) (*PrivateKey, error) {
	sp, ok := lookupAlg(alg)
	if !ok {
		return nil, fmt.Errorf("%w: alg %q", ErrUnsupported, alg)
	}
	if id := sk.KEM().ID(); id != sp.suite.kem {
		return nil, fmt.Errorf("%w: the key is for HPKE KEM 0x%04x, %s needs KEM 0x%04x", ErrInvalidKey, id, alg, sp.suite.kem)
	}
	st, err := stdBackend.(stdHPKE).instantiate(sp.suite)
	if err != nil {
		return nil, err
	}
	pub, err := backendFor(sp.suite).newPublic(sp.suite, sk.PublicKey().Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	return newPrivateKey(sp, &opaquePrivate{st: st, sk: sk, pub: pub}), nil
}

// opaquePrivate is a kemPrivate whose private key crypto/hpke reaches only
// through the KeyExchanger or Decapsulator it was made from.
type opaquePrivate struct {
	st  *stdSuite
	sk  hpke.PrivateKey
	pub kemPublic
}

// bytes is nil: there is no private key to serialize.
func (k *opaquePrivate) bytes() []byte     { return nil }
func (k *opaquePrivate) public() kemPublic { return k.pub }

func (k *opaquePrivate) setup(enc, info []byte) (receiver, error) {
	return hpke.NewRecipient(enc, k.sk, k.st.kdf, k.st.aead, info)
}
