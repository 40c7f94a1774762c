package seal

import (
	"crypto/rand"
	"fmt"

	circl "github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem"
)

// circlBackend is github.com/cloudflare/circl/hpke. It has X448, which the
// standard library lacks, and serves as an independent second implementation
// in tests.
var circlBackend backend = circlHPKE{}

type circlHPKE struct{}

type circlSuite struct {
	suite  circl.Suite
	scheme kem.Scheme
	kdf    circl.KDF
}

func (circlHPKE) name() string { return "circl" }

func (circlHPKE) instantiate(s suite) (*circlSuite, error) {
	k, f, a := circl.KEM(s.kem), circl.KDF(s.kdf), circl.AEAD(s.aead)
	if !k.IsValid() || !f.IsValid() || !a.IsValid() {
		return nil, fmt.Errorf("%w: suite not in circl", ErrUnsupported)
	}
	// circl's Kyber draft KEM is not a JOSE suite; only DH KEMs and X-Wing
	// are used from it.
	if _, ok := kemSizes[s.kem]; !ok {
		return nil, fmt.Errorf("%w: KEM not supported", ErrUnsupported)
	}
	return &circlSuite{suite: circl.NewSuite(k, f, a), scheme: k.Scheme(), kdf: f}, nil
}

func (b circlHPKE) supports(s suite) bool {
	_, err := b.instantiate(s)
	return err == nil
}

func (b circlHPKE) generate(s suite) (kemPrivate, error) {
	cs, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	pk, sk, err := cs.scheme.GenerateKeyPair()
	if err != nil {
		return nil, err
	}
	return newCirclPrivate(cs, sk, pk)
}

func (b circlHPKE) newPrivate(s suite, raw []byte) (kp kemPrivate, err error) {
	defer recoverAs(&err, ErrInvalidKey)
	cs, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	sk, err := cs.scheme.UnmarshalBinaryPrivateKey(raw)
	if err != nil {
		return nil, err
	}
	return newCirclPrivate(cs, sk, sk.Public())
}

func (b circlHPKE) newPublic(s suite, raw []byte) (kp kemPublic, err error) {
	defer recoverAs(&err, ErrInvalidKey)
	cs, err := b.instantiate(s)
	if err != nil {
		return nil, err
	}
	pk, err := cs.scheme.UnmarshalBinaryPublicKey(raw)
	if err != nil {
		return nil, err
	}
	return newCirclPublic(cs, pk)
}

type circlPublic struct {
	cs  *circlSuite
	pk  kem.PublicKey
	raw []byte
}

func newCirclPublic(cs *circlSuite, pk kem.PublicKey) (*circlPublic, error) {
	raw, err := pk.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &circlPublic{cs: cs, pk: pk, raw: raw}, nil
}

func (p *circlPublic) bytes() []byte { return p.raw }

func (p *circlPublic) seal(info, aad, plaintext []byte) (enc, ct []byte, ctx exporter, err error) {
	defer recoverAs(&err, ErrInvalidKey)
	sender, err := p.cs.suite.NewSender(p.pk, info)
	if err != nil {
		return nil, nil, nil, err
	}
	enc, sealer, err := sender.Setup(rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	ct, err = sealer.Seal(plaintext, aad)
	if err != nil {
		return nil, nil, nil, err
	}
	return enc, ct, circlExporter{ctx: sealer, max: 255 * int(p.cs.kdf.ExtractSize())}, nil
}

type circlPrivate struct {
	cs  *circlSuite
	sk  kem.PrivateKey
	raw []byte
	pub *circlPublic
}

func newCirclPrivate(cs *circlSuite, sk kem.PrivateKey, pk kem.PublicKey) (*circlPrivate, error) {
	raw, err := sk.MarshalBinary()
	if err != nil {
		return nil, err
	}
	pub, err := newCirclPublic(cs, pk)
	if err != nil {
		return nil, err
	}
	return &circlPrivate{cs: cs, sk: sk, raw: raw, pub: pub}, nil
}

func (k *circlPrivate) bytes() []byte     { return k.raw }
func (k *circlPrivate) public() kemPublic { return k.pub }

func (k *circlPrivate) setup(enc, info []byte) (r receiver, err error) {
	// circl panics on some misuse (e.g. wrong sizes); lengths are checked
	// before this call, and a panic that still escapes is a failed decryption.
	defer recoverAs(&err, ErrDecryption)
	rcv, err := k.cs.suite.NewReceiver(k.sk, info)
	if err != nil {
		return nil, err
	}
	opener, err := rcv.Setup(enc)
	if err != nil {
		return nil, err
	}
	return circlReceiver{opener: opener, circlExporter: circlExporter{ctx: opener, max: 255 * int(k.cs.kdf.ExtractSize())}}, nil
}

// circlReceiver adapts circl's Opener (ciphertext first) to receiver.
type circlReceiver struct {
	opener circl.Opener
	circlExporter
}

func (r circlReceiver) Open(aad, ciphertext []byte) (pt []byte, err error) {
	defer recoverAs(&err, ErrDecryption)
	return r.opener.Open(ciphertext, aad)
}

// circlExporter adapts circl's Export, which panics on a length beyond the
// KDF's limit, to the exporter interface, which returns an error.
type circlExporter struct {
	ctx interface {
		Export(exporterContext []byte, length uint) []byte
	}
	max int
}

func (e circlExporter) Export(exporterContext string, length int) ([]byte, error) {
	if length < 0 || length > e.max || length > 0xffff {
		return nil, errExportLength
	}
	return e.ctx.Export([]byte(exporterContext), uint(length)), nil
}

// recoverAs turns a panic into the given error.
func recoverAs(err *error, as error) {
	if r := recover(); r != nil {
		*err = as
	}
}
