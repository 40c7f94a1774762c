package seal

import (
	"crypto/hpke"
	"errors"
)

// stdBackend is crypto/hpke from the standard library.
var stdBackend backend = stdHPKE{}

type stdHPKE struct{}

// stdSuite is a suite instantiated with crypto/hpke primitives.
type stdSuite struct {
	kem  hpke.KEM
	kdf  hpke.KDF
	aead hpke.AEAD
}

func (stdHPKE) name() string { return "crypto/hpke" }

func (stdHPKE) instantiate(s suite) (*stdSuite, error) {
	kem, err := hpke.NewKEM(s.kem)
	if err != nil {
		return nil, err
	}
	kdf, err := hpke.NewKDF(s.kdf)
	if err != nil {
		return nil, err
	}
	aead, err := hpke.NewAEAD(s.aead)
	if err != nil {
		return nil, err
	}
	return &stdSuite{kem: kem, kdf: kdf, aead: aead}, nil
}

func (b stdHPKE) supports(s suite) bool {
	_, err := b.instantiate(s)
	return err == nil
}

func (b stdHPKE) generate(s suite) (kemPrivate, error) {
	st, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	sk, err := st.kem.GenerateKey()
	if err != nil {
		return nil, err
	}
	raw, err := sk.Bytes()
	if err != nil {
		return nil, err
	}
	if sk, err = withCirclDecapsulation(s, raw, sk); err != nil {
		return nil, err
	}
	return newStdPrivate(st, sk, raw), nil
}

// withCirclDecapsulation is sk with decapsulation through circl where it
// has the KEM (see decap_circl.go), and sk itself otherwise.
func withCirclDecapsulation(s suite, raw []byte, sk hpke.PrivateKey) (hpke.PrivateKey, error) {
	fast, err := circlDecapsulationKey(s.kem, raw, sk)
	if err != nil || fast == nil {
		return sk, err
	}
	return fast, nil
}

func (b stdHPKE) newPrivate(s suite, raw []byte) (kemPrivate, error) {
	st, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	sk, err := st.kem.NewPrivateKey(raw)
	if err != nil {
		return nil, err
	}
	if sk, err = withCirclDecapsulation(s, raw, sk); err != nil {
		return nil, err
	}
	return newStdPrivate(st, sk, raw), nil
}

func (b stdHPKE) newPublic(s suite, raw []byte) (kemPublic, error) {
	st, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	pk, err := st.kem.NewPublicKey(raw)
	if err != nil {
		return nil, err
	}
	return &stdPublic{st: st, pk: pk, raw: pk.Bytes()}, nil
}

type stdPublic struct {
	st  *stdSuite
	pk  hpke.PublicKey
	raw []byte
}

func (p *stdPublic) bytes() []byte { return p.raw }

func (p *stdPublic) seal(info, aad, plaintext []byte) ([]byte, []byte, exporter, error) {
	enc, sender, err := hpke.NewSender(p.pk, p.st.kdf, p.st.aead, info)
	if err != nil {
		return nil, nil, nil, err
	}
	ct, err := sender.Seal(aad, plaintext)
	if err != nil {
		return nil, nil, nil, err
	}
	return enc, ct, sender, nil
}

type stdPrivate struct {
	st  *stdSuite
	sk  hpke.PrivateKey
	raw []byte // as given: crypto/hpke may re-serialize X25519 keys differently
	pub *stdPublic
}

func newStdPrivate(st *stdSuite, sk hpke.PrivateKey, raw []byte) *stdPrivate {
	pk := sk.PublicKey()
	return &stdPrivate{
		st:  st,
		sk:  sk,
		raw: append([]byte(nil), raw...),
		pub: &stdPublic{st: st, pk: pk, raw: pk.Bytes()},
	}
}

func (k *stdPrivate) bytes() []byte     { return k.raw }
func (k *stdPrivate) public() kemPublic { return k.pub }

func (k *stdPrivate) setup(enc, info []byte) (receiver, error) {
	return hpke.NewRecipient(enc, k.sk, k.st.kdf, k.st.aead, info)
}

var errExportLength = errors.New("seal: export length out of range")
