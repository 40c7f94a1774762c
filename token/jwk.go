package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/sealjwt/sealjwt/internal/keyindex"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// maxJWKSize bounds one JWK before any parsing; the largest key we read
// (an 8192-bit RSA private key) is well under it.
const maxJWKSize = 16 << 10

// jwk is the JSON form of every key type we read and write (RFC 7517,
// RFC 7518 section 6, RFC 8037 for OKP, RFC 9964 for AKP). Field order is
// the order members are written in.
type jwk struct {
	Kty    string   `json:"kty"`
	Alg    string   `json:"alg,omitempty"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Kid    string   `json:"kid,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	N      string   `json:"n,omitempty"`
	E      string   `json:"e,omitempty"`
	K      string   `json:"k,omitempty"`
	Pub    string   `json:"pub,omitempty"`
	D      string   `json:"d,omitempty"`
	P      string   `json:"p,omitempty"`
	Q      string   `json:"q,omitempty"`
	DP     string   `json:"dp,omitempty"`
	DQ     string   `json:"dq,omitempty"`
	QI     string   `json:"qi,omitempty"`
	Priv   string   `json:"priv,omitempty"`
}

// jwkMembers are the member names jwk decodes. encoding/json matches names
// case-insensitively, so a case variant of one of these is refused rather
// than silently read as the real member.
var jwkMembers = []string{"kty", "alg", "use", "key_ops", "kid", "crv", "x", "y", "n", "e", "k", "pub",
	"d", "p", "q", "dp", "dq", "qi", "priv"}

// thumbprint is the RFC 7638 SHA-256 thumbprint: the required public
// members in lexicographic order, no whitespace. Values are base64url or
// fixed names, so no JSON escaping is needed. For AKP, RFC 9964 makes
// "alg" a required member.
func (j *jwk) thumbprint() string {
	var s string
	switch j.Kty {
	case "OKP":
		s = `{"crv":"` + j.Crv + `","kty":"OKP","x":"` + j.X + `"}`
	case "EC":
		s = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	case "RSA":
		s = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	case "oct":
		s = `{"k":"` + j.K + `","kty":"oct"}`
	case "AKP":
		s = `{"alg":"` + j.Alg + `","kty":"AKP","pub":"` + j.Pub + `"}`
	}
	sum := sha256.Sum256([]byte(s))
	return strict.Encode(sum[:])
}

// publicJWK returns the public members of a key that already fits alg.
func publicJWK(alg Alg, pub any) (jwk, error) {
	j := jwk{Alg: string(alg)}
	switch p := pub.(type) {
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", strict.Encode(p)
	case *ecdsa.PublicKey:
		b, err := p.Bytes()
		if err != nil {
			return j, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		n := (len(b) - 1) / 2
		j.Kty, j.Crv, j.X, j.Y = "EC", p.Curve.Params().Name, strict.Encode(b[1:1+n]), strict.Encode(b[1+n:])
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", strict.Encode(p.N.Bytes()), strict.Encode(big.NewInt(int64(p.E)).Bytes())
	case []byte:
		j.Kty, j.K = "oct", strict.Encode(p)
	case *mldsaPublic:
		j.Kty, j.Pub = "AKP", strict.Encode(p.raw)
	default:
		return j, fmt.Errorf("%w: unsupported public key type %T", ErrInvalidKey, pub)
	}
	return j, nil
}

// MarshalJSON returns the public JWK with kid, alg and "use":"sig". An
// HS256 key is a shared secret and is refused: marshal the SigningKey.
func (k *VerifyingKey) MarshalJSON() ([]byte, error) {
	if k.alg == HS256 {
		return nil, fmt.Errorf("%w: an HS256 key is a shared secret and has no public JWK", ErrInvalidKey)
	}
	j := k.jwk
	j.Use, j.Kid = "sig", k.kid
	return json.Marshal(&j)
}

// MarshalJSON returns the private JWK (with kid, alg and "use":"sig").
// Treat the output as a secret. A key behind a crypto.Signer has no
// private JWK and is refused.
func (k *SigningKey) MarshalJSON() ([]byte, error) {
	if _, ok := k.key.(*opaqueKey); ok {
		return nil, fmt.Errorf("%w: the private key is held by a crypto.Signer; marshal the public key", ErrInvalidKey)
	}
	j := k.pub.jwk
	j.Use, j.Kid = "sig", k.kid
	switch p := k.key.(type) {
	case ed25519.PrivateKey:
		j.D = strict.Encode(p.Seed())
	case *ecdsa.PrivateKey:
		b, err := p.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		j.D = strict.Encode(b)
	case *rsa.PrivateKey:
		if len(p.Primes) != 2 {
			return nil, fmt.Errorf("%w: multi-prime RSA", ErrUnsupported)
		}
		j.D, j.P, j.Q = strict.Encode(p.D.Bytes()), strict.Encode(p.Primes[0].Bytes()), strict.Encode(p.Primes[1].Bytes())
		j.DP, j.DQ = strict.Encode(p.Precomputed.Dp.Bytes()), strict.Encode(p.Precomputed.Dq.Bytes())
		j.QI = strict.Encode(p.Precomputed.Qinv.Bytes())
	case []byte:
		// The oct public members already carry k.
	case *mldsaPrivate:
		j.Priv = strict.Encode(p.seed[:])
	}
	return json.Marshal(&j)
}

// JWKOption adjusts how a JWK is read.
type JWKOption func(*jwkOptions)

type jwkOptions struct {
	alg      Alg
	kid      string    // PEM only: JWKs carry their own
	certTime time.Time // PEM only: when set, a certificate must be valid then
}

func applyJWKOptions(opts []JWKOption) jwkOptions {
	var o jwkOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithJWKAlg names the algorithm of a JWK that carries no "alg", as other
// stacks often write them (RSA keys serve RS256 and PS256, so theirs must
// be named). A JWK whose own "alg" differs is refused.
func WithJWKAlg(alg Alg) JWKOption { return func(o *jwkOptions) { o.alg = alg } }

// ParseSigningJWK reads a private JWK. The algorithm comes from "alg",
// from WithJWKAlg, or from the key when only one algorithm fits it (OKP
// Ed25519: EdDSA; EC P-256: ES256; P-384: ES384). "use", if present, must
// be "sig". The key keeps the JWK's own "kid"; without one, its kid is
// the RFC 7638 thumbprint.
func ParseSigningJWK(data []byte, opts ...JWKOption) (*SigningKey, error) {
	j, alg, err := decodeJWK(data, opts)
	if err != nil {
		return nil, err
	}
	priv, err := j.privateKey(alg)
	if err != nil {
		return nil, err
	}
	k, err := newSigningKey(alg, priv)
	if err != nil {
		return nil, err
	}
	if j.Kid != "" {
		k.kid, k.pub.kid = j.Kid, j.Kid
	}
	return k, nil
}

// ParseVerifyingJWK reads a public JWK. The algorithm and kid are found as
// for ParseSigningJWK. Private members are refused, so that a private key
// is never mistaken for a public one and republished. A symmetric (oct)
// key is refused too: a public key is one anybody may hold, and anybody
// holding an HS256 secret can mint tokens. An HS256 verifying key comes
// only from NewHMACKey or ParseSigningJWK, through SigningKey.Verifying.
func ParseVerifyingJWK(data []byte, opts ...JWKOption) (*VerifyingKey, error) {
	j, alg, err := decodeJWK(data, opts)
	if err != nil {
		return nil, err
	}
	if j.Kty == "oct" {
		return nil, keyindex.Unusable(fmt.Errorf("%w: a symmetric (oct) key is not a public key; "+
			"an HS256 key comes only from NewHMACKey or ParseSigningJWK", ErrInvalidKey))
	}
	if j.D != "" || j.P != "" || j.Q != "" || j.DP != "" || j.DQ != "" || j.QI != "" || j.Priv != "" {
		return nil, fmt.Errorf("%w: private key members in a public JWK", ErrInvalidKey)
	}
	pub, err := j.publicKey(alg)
	if err != nil {
		return nil, err
	}
	k, err := newVerifyingKey(alg, pub)
	if err != nil {
		return nil, err
	}
	if j.Kid != "" {
		k.kid = j.Kid
	}
	return k, nil
}

// decodeJWK strictly decodes a JWK object and checks the members that do
// not depend on the key type.
func decodeJWK(data []byte, opts []JWKOption) (*jwk, Alg, error) {
	if len(data) > maxJWKSize {
		return nil, "", fmt.Errorf("%w: JWK of %d bytes exceeds %d", ErrTooLarge, len(data), maxJWKSize)
	}
	names, err := strict.Object(data)
	if err != nil {
		return nil, "", fmt.Errorf("JWK: %w", err)
	}
	for _, name := range names {
		if name == "oth" {
			return nil, "", fmt.Errorf("%w: multi-prime RSA keys", ErrUnsupported)
		}
		if err := strict.CheckNameCase(name, jwkMembers, ErrMalformed); err != nil {
			return nil, "", err
		}
	}
	var j jwk
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, "", fmt.Errorf("%w: JWK: %v", ErrMalformed, err)
	}
	alg, err := j.resolveAlg(opts)
	if err != nil {
		return nil, "", keyindex.Unusable(err)
	}
	if _, err := alg.method(); err != nil {
		return nil, "", keyindex.Unusable(err)
	}
	if err := checkKID(j.Kid, names); err != nil {
		return nil, "", err
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, "", keyindex.Unusable(fmt.Errorf("%w: JWK \"use\" is %.32q, not \"sig\"", ErrInvalidKey, j.Use))
	}
	for _, op := range j.KeyOps {
		if op != "sign" && op != "verify" {
			return nil, "", keyindex.Unusable(fmt.Errorf("%w: JWK \"key_ops\" has %.32q", ErrInvalidKey, op))
		}
	}
	if want := ktyOf(alg); j.Kty != want {
		return nil, "", keyindex.Unusable(fmt.Errorf("%w: kty %.16q does not fit alg %s (want %q)", ErrInvalidKey, j.Kty, alg, want))
	}
	return &j, alg, nil
}

// ktyOf returns the JWK key type an algorithm's keys have.
func ktyOf(alg Alg) string {
	switch alg {
	case EdDSA:
		return "OKP"
	case ES256, ES384:
		return "EC"
	case PS256, RS256:
		return "RSA"
	case HS256:
		return "oct"
	}
	return "AKP"
}

// resolveAlg decides the key's algorithm: the JWK's "alg", the one the
// caller names, or the only one the key type fits. The caller's and the
// JWK's must agree when both are given.
func (j *jwk) resolveAlg(opts []JWKOption) (Alg, error) {
	o := applyJWKOptions(opts)
	named := Alg(j.Alg)
	if named == ed25519Alg && j.Kty == "OKP" && j.Crv == "Ed25519" {
		named = EdDSA // RFC 9864's fully specified name for EdDSA over Ed25519
	}
	switch {
	case named != "" && o.alg != "" && named != o.alg:
		return "", fmt.Errorf("%w: JWK alg %.32q, but %s was named", ErrInvalidKey, j.Alg, o.alg)
	case named != "":
		return named, nil
	case o.alg != "":
		return o.alg, nil
	}
	switch {
	case j.Kty == "OKP" && j.Crv == "Ed25519":
		return EdDSA, nil
	case j.Kty == "EC" && j.Crv == "P-256":
		return ES256, nil
	case j.Kty == "EC" && j.Crv == "P-384":
		return ES384, nil
	}
	return "", fmt.Errorf("%w: JWK (kty %.16q) has no \"alg\"; only OKP Ed25519 and EC P-256/P-384 keys imply theirs: name it", ErrInvalidKey, j.Kty)
}

// checkKID accepts the kid a JWK was given, which an identity provider
// chooses freely, within a bound: a present kid must be 1 to maxKIDLen
// bytes. Keys made here carry their RFC 7638 thumbprint instead.
func checkKID(kid string, names []string) error {
	if (kid == "" && slices.Contains(names, "kid")) || len(kid) > maxKIDLen {
		return fmt.Errorf("%w: JWK kid must be 1 to %d bytes, got %d", ErrInvalidKey, maxKIDLen, len(kid))
	}
	return nil
}

// field decodes one required base64url member, optionally of a fixed size.
func field(name, value string, size int) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("%w: JWK member %q missing", ErrInvalidKey, name)
	}
	b, err := strict.Base64(value)
	if err != nil {
		return nil, fmt.Errorf("JWK member %q: %w", name, err)
	}
	if size > 0 && len(b) != size {
		return nil, fmt.Errorf("%w: JWK member %q is %d bytes, want %d", ErrInvalidKey, name, len(b), size)
	}
	return b, nil
}

// publicKey decodes the public key members for alg.
func (j *jwk) publicKey(alg Alg) (any, error) {
	switch j.Kty {
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, keyindex.Unusable(fmt.Errorf("%w: OKP curve %.16q", ErrUnsupported, j.Crv))
		}
		x, err := field("x", j.X, ed25519.PublicKeySize)
		return ed25519.PublicKey(x), err
	case "EC":
		return j.ecPublic(alg)
	case "RSA":
		return j.rsaPublic()
	case "oct":
		k, err := field("k", j.K, 0)
		if err == nil && len(k) < MinHMACKeySize {
			err = fmt.Errorf("%w: HS256 secret of %d bytes, need at least %d", ErrInvalidKey, len(k), MinHMACKeySize)
		}
		return k, err
	}
	p := mldsaParamSets[alg]
	raw, err := field("pub", j.Pub, p.scheme.PublicKeySize())
	if err != nil {
		return nil, err
	}
	return newMLDSAPublic(p, raw)
}

func (j *jwk) ecPublic(alg Alg) (*ecdsa.PublicKey, error) {
	curve := curveOf(alg)
	if j.Crv != curve.Params().Name {
		return nil, keyindex.Unusable(fmt.Errorf("%w: EC curve %.16q does not fit %s", ErrInvalidKey, j.Crv, alg))
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := field("x", j.X, size)
	if err != nil {
		return nil, err
	}
	y, err := field("y", j.Y, size)
	if err != nil {
		return nil, err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, fmt.Errorf("%w: EC point: %v", ErrInvalidKey, err)
	}
	return pub, nil
}

// minimalInt decodes an unsigned big-endian integer member that RFC 7518
// requires in its shortest form.
func minimalInt(name, value string) (*big.Int, error) {
	b, err := field(name, value, 0)
	if err != nil {
		return nil, err
	}
	if b[0] == 0 {
		return nil, fmt.Errorf("%w: JWK member %q has a leading zero octet", ErrInvalidKey, name)
	}
	return new(big.Int).SetBytes(b), nil
}

func (j *jwk) rsaPublic() (*rsa.PublicKey, error) {
	n, err := minimalInt("n", j.N)
	if err != nil {
		return nil, err
	}
	if n.BitLen() > rsaMaxBits || n.BitLen() < rsaMinBits {
		return nil, keyindex.Unusable(fmt.Errorf("%w: RSA modulus of %d bits, want %d to %d", ErrInvalidKey, n.BitLen(), rsaMinBits, rsaMaxBits))
	}
	e, err := minimalInt("e", j.E)
	if err != nil {
		return nil, err
	}
	if e.BitLen() > 31 || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: RSA public exponent", ErrInvalidKey)
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// privateKey decodes the private key for alg and checks that it matches
// the public members that come with it.
func (j *jwk) privateKey(alg Alg) (any, error) {
	switch j.Kty {
	case "OKP":
		return j.okpPrivate()
	case "EC":
		return j.ecPrivate(alg)
	case "RSA":
		return j.rsaPrivate()
	case "oct":
		return j.publicKey(alg) // the secret is the whole key
	}
	return j.mldsaPrivate(alg)
}

func (j *jwk) okpPrivate() (ed25519.PrivateKey, error) {
	pubAny, err := j.publicKey(EdDSA)
	if err != nil {
		return nil, err
	}
	d, err := field("d", j.D, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(d)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), pubAny.(ed25519.PublicKey)) {
		return nil, fmt.Errorf("%w: JWK \"x\" does not match \"d\"", ErrInvalidKey)
	}
	return priv, nil
}

func (j *jwk) ecPrivate(alg Alg) (*ecdsa.PrivateKey, error) {
	pub, err := j.ecPublic(alg)
	if err != nil {
		return nil, err
	}
	d, err := field("d", j.D, (curveOf(alg).Params().BitSize+7)/8)
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.ParseRawPrivateKey(curveOf(alg), d)
	if err != nil {
		return nil, fmt.Errorf("%w: EC private key: %v", ErrInvalidKey, err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("%w: JWK \"x\"/\"y\" do not match \"d\"", ErrInvalidKey)
	}
	return priv, nil
}

func (j *jwk) rsaPrivate() (*rsa.PrivateKey, error) {
	pub, err := j.rsaPublic()
	if err != nil {
		return nil, err
	}
	var ints [6]*big.Int
	for i, m := range [6][2]string{{"d", j.D}, {"p", j.P}, {"q", j.Q}, {"dp", j.DP}, {"dq", j.DQ}, {"qi", j.QI}} {
		if ints[i], err = minimalInt(m[0], m[1]); err != nil {
			return nil, err
		}
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: ints[0], Primes: []*big.Int{ints[1], ints[2]}}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("%w: RSA private key: %v", ErrInvalidKey, err)
	}
	priv.Precompute()
	pc := priv.Precomputed
	if pc.Dp == nil || pc.Dp.Cmp(ints[3]) != 0 || pc.Dq.Cmp(ints[4]) != 0 || pc.Qinv.Cmp(ints[5]) != 0 {
		return nil, fmt.Errorf("%w: RSA CRT members do not match the key", ErrInvalidKey)
	}
	return priv, nil
}

func (j *jwk) mldsaPrivate(alg Alg) (*mldsaPrivate, error) {
	seed, err := field("priv", j.Priv, mldsaSeedSize)
	if err != nil {
		return nil, err
	}
	priv, err := newMLDSAFromSeed(mldsaParamSets[alg], seed)
	if err != nil {
		return nil, err
	}
	pubAny, err := j.publicKey(alg)
	if err != nil {
		return nil, err
	}
	if !priv.pub.equal(pubAny.(*mldsaPublic)) {
		return nil, fmt.Errorf("%w: JWK \"pub\" is not the key the \"priv\" seed expands to", ErrInvalidKey)
	}
	return priv, nil
}
