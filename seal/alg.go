package seal

// Alg is a JOSE-HPKE "alg" value. Each one fixes the HPKE KEM, KDF and AEAD
// and the key management mode (integrated or key encryption).
type Alg string

// Integrated encryption algorithms (draft-ietf-jose-hpke-encrypt-20 §5.1,
// draft-ietf-jose-hpke-pq-pqt-00 §3.1 and §3.2).
const (
	HPKE0  Alg = "HPKE-0"  // DHKEM(P-256), HKDF-SHA256, AES-128-GCM
	HPKE1  Alg = "HPKE-1"  // DHKEM(P-384), HKDF-SHA384, AES-256-GCM
	HPKE2  Alg = "HPKE-2"  // DHKEM(P-521), HKDF-SHA512, AES-256-GCM
	HPKE3  Alg = "HPKE-3"  // DHKEM(X25519), HKDF-SHA256, AES-128-GCM
	HPKE4  Alg = "HPKE-4"  // DHKEM(X25519), HKDF-SHA256, ChaCha20Poly1305
	HPKE5  Alg = "HPKE-5"  // DHKEM(X448), HKDF-SHA512, AES-256-GCM
	HPKE6  Alg = "HPKE-6"  // DHKEM(X448), HKDF-SHA512, ChaCha20Poly1305
	HPKE7  Alg = "HPKE-7"  // DHKEM(P-256), HKDF-SHA256, AES-256-GCM
	HPKE8  Alg = "HPKE-8"  // MLKEM768-P256, SHAKE256, AES-256-GCM
	HPKE9  Alg = "HPKE-9"  // MLKEM768-X25519 (X-Wing), SHAKE256, AES-256-GCM
	HPKE10 Alg = "HPKE-10" // MLKEM1024-P384, SHAKE256, AES-256-GCM
	HPKE12 Alg = "HPKE-12" // ML-KEM-768, SHAKE256, AES-256-GCM
	HPKE13 Alg = "HPKE-13" // ML-KEM-1024, SHAKE256, AES-256-GCM
)

// DefaultAlg is the alg new keys get when the caller has no reason to choose:
// X-Wing is post-quantum and still rests on X25519 should ML-KEM fall.
const DefaultAlg = HPKE9

// HPKE algorithm identifiers (RFC 9180 §7, draft-ietf-hpke-pq).
const (
	kemP256          uint16 = 0x0010
	kemP384          uint16 = 0x0011
	kemP521          uint16 = 0x0012
	kemX25519        uint16 = 0x0020
	kemX448          uint16 = 0x0021
	kemMLKEM768      uint16 = 0x0041
	kemMLKEM1024     uint16 = 0x0042
	kemMLKEM768P256  uint16 = 0x0050
	kemMLKEM1024P384 uint16 = 0x0051
	kemXWing         uint16 = 0x647a

	kdfSHA256   uint16 = 0x0001
	kdfSHA384   uint16 = 0x0002
	kdfSHA512   uint16 = 0x0003
	kdfSHAKE256 uint16 = 0x0011

	aeadAES128GCM uint16 = 0x0001
	aeadAES256GCM uint16 = 0x0002
	aeadChaCha20  uint16 = 0x0003
)

// algSpec is everything an Alg determines.
type algSpec struct {
	alg    Alg
	suite  suite
	keyEnc bool   // key encryption mode (HPKE-n-KE)
	kty    string // JWK key type
	crv    string // JWK curve; empty for AKP
	// contentEnc is the JWE "enc" our Seal uses in key encryption mode: the
	// AES-GCM with the HPKE AEAD's key size, as the draft's examples do.
	contentEnc string
}

func spec(alg Alg, kem, kdf, aead uint16, kty, crv string) [2]algSpec {
	s := suite{kem: kem, kdf: kdf, aead: aead}
	enc := "A256GCM"
	if aead == aeadAES128GCM {
		enc = "A128GCM"
	}
	return [2]algSpec{
		{alg: alg, suite: s, kty: kty, crv: crv},
		{alg: alg + "-KE", suite: s, keyEnc: true, kty: kty, crv: crv, contentEnc: enc},
	}
}

// algTable lists integrated then key-encryption spec for every suite, in
// registry order.
var algTable = [...][2]algSpec{
	spec(HPKE0, kemP256, kdfSHA256, aeadAES128GCM, "EC", "P-256"),
	spec(HPKE1, kemP384, kdfSHA384, aeadAES256GCM, "EC", "P-384"),
	spec(HPKE2, kemP521, kdfSHA512, aeadAES256GCM, "EC", "P-521"),
	spec(HPKE3, kemX25519, kdfSHA256, aeadAES128GCM, "OKP", "X25519"),
	spec(HPKE4, kemX25519, kdfSHA256, aeadChaCha20, "OKP", "X25519"),
	spec(HPKE5, kemX448, kdfSHA512, aeadAES256GCM, "OKP", "X448"),
	spec(HPKE6, kemX448, kdfSHA512, aeadChaCha20, "OKP", "X448"),
	spec(HPKE7, kemP256, kdfSHA256, aeadAES256GCM, "EC", "P-256"),
	spec(HPKE8, kemMLKEM768P256, kdfSHAKE256, aeadAES256GCM, "AKP", ""),
	spec(HPKE9, kemXWing, kdfSHAKE256, aeadAES256GCM, "AKP", ""),
	spec(HPKE10, kemMLKEM1024P384, kdfSHAKE256, aeadAES256GCM, "AKP", ""),
	spec(HPKE12, kemMLKEM768, kdfSHAKE256, aeadAES256GCM, "AKP", ""),
	spec(HPKE13, kemMLKEM1024, kdfSHAKE256, aeadAES256GCM, "AKP", ""),
}

var algByName = func() map[Alg]*algSpec {
	m := make(map[Alg]*algSpec, 2*len(algTable))
	for i := range algTable {
		for j := range algTable[i] {
			m[algTable[i][j].alg] = &algTable[i][j]
		}
	}
	return m
}()

// lookupAlg returns the spec of a supported alg.
func lookupAlg(a Alg) (*algSpec, bool) {
	s, ok := algByName[a]
	return s, ok
}

// Algs returns every supported alg: the integrated ones first, then the key
// encryption ones, each in registry order.
func Algs() []Alg {
	out := make([]Alg, 0, 2*len(algTable))
	for _, mode := range []int{0, 1} {
		for i := range algTable {
			out = append(out, algTable[i][mode].alg)
		}
	}
	return out
}

// KeyEncryption reports whether a uses key encryption mode (HPKE-n-KE).
func (a Alg) KeyEncryption() bool {
	s, ok := lookupAlg(a)
	return ok && s.keyEnc
}

// Supported reports whether a is an alg this package implements.
func (a Alg) Supported() bool {
	_, ok := lookupAlg(a)
	return ok
}

// Names of the HPKE algorithms, as RFC 9180 section 7 and
// draft-ietf-hpke-pq name them, for Suite.
var (
	kemNames = map[uint16]string{
		kemP256: "DHKEM(P-256)", kemP384: "DHKEM(P-384)", kemP521: "DHKEM(P-521)",
		kemX25519: "DHKEM(X25519)", kemX448: "DHKEM(X448)",
		kemMLKEM768: "post-quantum ML-KEM-768", kemMLKEM1024: "post-quantum ML-KEM-1024",
		kemMLKEM768P256:  "post-quantum hybrid MLKEM768-P256",
		kemMLKEM1024P384: "post-quantum hybrid MLKEM1024-P384",
		kemXWing:         "post-quantum hybrid X-Wing: ML-KEM-768 + X25519",
	}
	kdfNames  = map[uint16]string{kdfSHA256: "HKDF-SHA256", kdfSHA384: "HKDF-SHA384", kdfSHA512: "HKDF-SHA512", kdfSHAKE256: "SHAKE256"}
	aeadNames = map[uint16]string{aeadAES128GCM: "AES-128-GCM", aeadAES256GCM: "AES-256-GCM", aeadChaCha20: "ChaCha20Poly1305"}
)

// Suite names the HPKE KEM, KDF and AEAD that a fixes, for people reading
// a key or a demo: "DHKEM(X25519), HKDF-SHA256, AES-128-GCM". A key
// encryption alg adds "; key encryption mode". It is "" for an alg this
// package does not implement.
func (a Alg) Suite() string {
	s, ok := lookupAlg(a)
	if !ok {
		return ""
	}
	d := kemNames[s.suite.kem] + ", " + kdfNames[s.suite.kdf] + ", " + aeadNames[s.suite.aead]
	if s.keyEnc {
		d += "; key encryption mode"
	}
	return d
}
