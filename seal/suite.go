package seal

// suite is an HPKE ciphersuite: KEM, KDF and AEAD identifiers.
type suite struct {
	kem, kdf, aead uint16
}

// kemSize holds the fixed lengths of a KEM's encodings (RFC 9180 §7.1,
// draft-ietf-hpke-pq): checked before any HPKE call, so that malformed input
// never reaches a backend.
type kemSize struct {
	enc  int // Nenc: encapsulated secret
	pub  int // Npk: serialized public key
	priv int // Nsk: serialized private key (a seed for the PQ KEMs)
}

var kemSizes = map[uint16]kemSize{
	kemP256:          {enc: 65, pub: 65, priv: 32},
	kemP384:          {enc: 97, pub: 97, priv: 48},
	kemP521:          {enc: 133, pub: 133, priv: 66},
	kemX25519:        {enc: 32, pub: 32, priv: 32},
	kemX448:          {enc: 56, pub: 56, priv: 56},
	kemMLKEM768:      {enc: 1088, pub: 1184, priv: 64},
	kemMLKEM1024:     {enc: 1568, pub: 1568, priv: 64},
	kemMLKEM768P256:  {enc: 1088 + 65, pub: 1184 + 65, priv: 32},
	kemMLKEM1024P384: {enc: 1568 + 97, pub: 1568 + 97, priv: 32},
	kemXWing:         {enc: 1120, pub: 1216, priv: 32},
}

// aeadTagSize is the tag length of every HPKE AEAD this package uses.
const aeadTagSize = 16

// exporter is a backend's HPKE context, reduced to its secret export
// (RFC 9180 §5.3).
type exporter interface {
	Export(exporterContext string, length int) ([]byte, error)
}

// backend is one HPKE implementation. Keys are parsed once, into the
// backend's own form, so sealing and opening do no parsing.
type backend interface {
	name() string
	supports(s suite) bool
	generate(s suite) (kemPrivate, error)
	newPrivate(s suite, b []byte) (kemPrivate, error)
	newPublic(s suite, b []byte) (kemPublic, error)
}

// kemPublic is a parsed recipient public key bound to a suite.
type kemPublic interface {
	bytes() []byte
	// seal is single-shot HPKE base mode: a fresh encapsulation, one
	// AEAD encryption, and the context for exports.
	seal(info, aad, plaintext []byte) (enc, ciphertext []byte, ctx exporter, err error)
}

// kemPrivate is a parsed recipient private key bound to a suite.
type kemPrivate interface {
	bytes() []byte // SerializePrivateKey
	public() kemPublic
	// setup decapsulates enc and returns the receiving context
	// (RFC 9180 §5.1). Callers check len(enc) first.
	setup(enc, info []byte) (receiver, error)
}

// receiver is a receiving HPKE context.
type receiver interface {
	exporter
	Open(aad, ciphertext []byte) ([]byte, error)
}

// openOnce is single-shot HPKE open: the receiving side of kemPublic.seal.
func openOnce(k kemPrivate, enc, info, aad, ciphertext []byte) ([]byte, exporter, error) {
	r, err := k.setup(enc, info)
	if err != nil {
		return nil, nil, err
	}
	pt, err := r.Open(aad, ciphertext)
	if err != nil {
		return nil, nil, err
	}
	return pt, r, nil
}

// backendFor picks the implementation for a suite. crypto/hpke is the
// default; circl is used where the standard library has no implementation
// (X448) and where it measured faster on the same suite (see
// docs/BENCHMARKS.md, BenchmarkFloorSeal/BenchmarkFloorOpen).
func backendFor(s suite) backend {
	if preferCircl(s) && circlBackend.supports(s) {
		return circlBackend
	}
	return stdBackend
}

// preferCircl lists the suites that go through circl: X448, which only
// circl has, and X25519, where circl's DHKEM measured about 20% faster to
// seal and 10% faster to open than crypto/hpke on the reference machine
// (BenchmarkBackend). On the NIST curves the two were within noise of each
// other, so the standard library keeps them; circl has no SHAKE256 KDF, so
// the post-quantum suites are crypto/hpke, whose private keys decapsulate
// through circl's ML-KEM and X25519 (decap_circl.go).
func preferCircl(s suite) bool {
	switch s.kem {
	case kemX448, kemX25519:
		return true
	}
	return false
}
