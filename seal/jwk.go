package seal

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/sealjwt/sealjwt/internal/keyindex"
	"github.com/sealjwt/sealjwt/internal/strict"
)

// jwk is the JSON form of a JOSE-HPKE key (RFC 7517; EC per RFC 7518 §6.2,
// OKP per RFC 8037, AKP per RFC 9964 with the HPKE representation of
// draft-ietf-jose-hpke-pq-pqt-00 §4). Member order follows the draft's
// examples.
type jwk struct {
	Kty    string   `json:"kty"`
	Crv    string   `json:"crv,omitempty"`
	X      string   `json:"x,omitempty"`
	Y      string   `json:"y,omitempty"`
	D      string   `json:"d,omitempty"`
	Pub    string   `json:"pub,omitempty"`
	Priv   string   `json:"priv,omitempty"`
	Alg    string   `json:"alg"`
	Use    string   `json:"use,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
	Kid    string   `json:"kid,omitempty"`
}

// jwkMembers are the JSON names of jwk, whose case variants are refused.
var jwkMembers = []string{"kty", "crv", "x", "y", "d", "pub", "priv", "alg", "use", "key_ops", "kid"}

// maxKIDLen bounds the kid a JWK may bring: an identity provider picks its
// kids freely, but a kid goes into every envelope header.
const maxKIDLen = 256

// decodeJWK checks the JSON strictly (one object, no duplicate members) and
// returns its members and the spec of its alg, which must be supported and
// must fit the kty and crv (draft-ietf-jose-hpke-encrypt-20 §9, Table 3).
func decodeJWK(data []byte) (*jwk, *algSpec, error) {
	names, err := strict.Object(data)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names { // encoding/json would read "kTy" as "kty"
		if err := strict.CheckNameCase(name, jwkMembers, ErrMalformed); err != nil {
			return nil, nil, err
		}
	}
	var j jwk
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, nil, fmt.Errorf("%w: JWK: %v", ErrMalformed, err)
	}
	sp, err := usableAlg(&j)
	if err != nil {
		return nil, nil, keyindex.Unusable(err)
	}
	if err := checkMembers(&j, sp); err != nil {
		return nil, nil, err
	}
	if (j.Kid == "" && slices.Contains(names, "kid")) || len(j.Kid) > maxKIDLen {
		return nil, nil, fmt.Errorf("%w: JWK kid must be 1 to %d bytes, got %d", ErrInvalidKey, maxKIDLen, len(j.Kid))
	}
	return &j, sp, nil
}

// usableAlg returns the spec of the JWK's alg, or why this package cannot
// use the key: no alg, an alg it does not implement, a kty or curve that
// does not fit the alg, or a use other than encryption. A published key
// set skips such keys.
func usableAlg(j *jwk) (*algSpec, error) {
	if j.Alg == "" {
		return nil, fmt.Errorf("%w: JWK has no alg; every key is bound to one", ErrInvalidKey)
	}
	sp, ok := lookupAlg(Alg(j.Alg))
	if !ok {
		return nil, fmt.Errorf("%w: JWK alg %.32q", ErrUnsupported, j.Alg)
	}
	if j.Kty != sp.kty || j.Crv != sp.crv {
		return nil, fmt.Errorf("%w: kty %.16q crv %.16q do not fit alg %s", ErrInvalidKey, j.Kty, j.Crv, sp.alg)
	}
	if j.Use != "" && j.Use != "enc" {
		return nil, fmt.Errorf("%w: JWK use %.32q, want enc", ErrInvalidKey, j.Use)
	}
	for _, op := range j.KeyOps {
		if op == "sign" || op == "verify" {
			return nil, fmt.Errorf("%w: JWK key_ops %.32q on an encryption key", ErrInvalidKey, op)
		}
	}
	return sp, nil
}

// checkMembers refuses key members that belong to another key type, so a
// JWK means one thing only.
func checkMembers(j *jwk, sp *algSpec) error {
	var stray bool
	switch sp.kty {
	case "EC":
		stray = j.Pub != "" || j.Priv != ""
	case "OKP":
		stray = j.Y != "" || j.Pub != "" || j.Priv != ""
	case "AKP":
		stray = j.X != "" || j.Y != "" || j.D != ""
	}
	if stray {
		return fmt.Errorf("%w: JWK has members of another key type", ErrInvalidKey)
	}
	return nil
}

// publicBytes returns SerializePublicKey of the JWK's public part, checking
// every coordinate's exact length.
func (j *jwk) publicBytes(sp *algSpec) ([]byte, error) {
	size := kemSizes[sp.suite.kem]
	switch sp.kty {
	case "EC":
		n := (size.pub - 1) / 2
		x, err := fixedBase64(j.X, n, "x")
		if err != nil {
			return nil, err
		}
		y, err := fixedBase64(j.Y, n, "y")
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, size.pub)
		out = append(out, 4) // uncompressed point (SEC 1 §2.3.3)
		return append(append(out, x...), y...), nil
	case "OKP":
		return fixedBase64(j.X, size.pub, "x")
	default:
		return fixedBase64(j.Pub, size.pub, "pub")
	}
}

// privateBytes returns SerializePrivateKey: "d" for EC and OKP, "priv" (the
// seed) for AKP.
func (j *jwk) privateBytes(sp *algSpec) ([]byte, error) {
	size := kemSizes[sp.suite.kem]
	if sp.kty == "AKP" {
		return fixedBase64(j.Priv, size.priv, "priv")
	}
	return fixedBase64(j.D, size.priv, "d")
}

func (j *jwk) hasPrivate() bool { return j.D != "" || j.Priv != "" }

func fixedBase64(s string, n int, member string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: JWK member %q missing", ErrInvalidKey, member)
	}
	if len(s) != (n*4+2)/3 { // unpadded base64url length of n bytes
		return nil, fmt.Errorf("%w: JWK member %q has the wrong length", ErrInvalidKey, member)
	}
	b, err := strict.Base64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != n {
		return nil, fmt.Errorf("%w: JWK member %q has the wrong length", ErrInvalidKey, member)
	}
	return b, nil
}

// publicJWK fills the public members of a key's JWK from its public bytes.
func publicJWK(sp *algSpec, pub []byte) *jwk {
	j := &jwk{Kty: sp.kty, Crv: sp.crv, Alg: string(sp.alg), Use: "enc"}
	switch sp.kty {
	case "EC":
		n := (len(pub) - 1) / 2
		j.X, j.Y = strict.Encode(pub[1:1+n]), strict.Encode(pub[1+n:])
	case "OKP":
		j.X = strict.Encode(pub)
	default:
		j.Pub = strict.Encode(pub)
	}
	return j
}

// thumbprint is the RFC 7638 JWK thumbprint (SHA-256) over the required
// members in lexicographic order: crv, kty, x, y for EC (RFC 7638 §3.2);
// crv, kty, x for OKP (RFC 8037 §2); alg, kty, pub for AKP (RFC 9964).
func thumbprint(j *jwk) string {
	var canon []byte
	switch j.Kty {
	case "EC":
		canon = fmt.Appendf(nil, `{"crv":%q,"kty":"EC","x":%q,"y":%q}`, j.Crv, j.X, j.Y)
	case "OKP":
		canon = fmt.Appendf(nil, `{"crv":%q,"kty":"OKP","x":%q}`, j.Crv, j.X)
	default:
		canon = fmt.Appendf(nil, `{"alg":%q,"kty":"AKP","pub":%q}`, j.Alg, j.Pub)
	}
	// Every value here is an alg name, a curve name or base64url, so %q
	// produces exactly the JSON string RFC 7638 requires.
	sum := sha256.Sum256(canon)
	return strict.Encode(sum[:])
}
