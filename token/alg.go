package token

import (
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Alg is a JWS signature algorithm name ("alg"). A key is bound to exactly
// one Alg when it is created or parsed; tokens never choose it.
type Alg string

// The signature algorithms this package signs and verifies with.
const (
	EdDSA   Alg = "EdDSA"     // Ed25519 (RFC 8037); the default
	ES256   Alg = "ES256"     // ECDSA P-256 with SHA-256
	ES384   Alg = "ES384"     // ECDSA P-384 with SHA-384
	PS256   Alg = "PS256"     // RSASSA-PSS with SHA-256
	RS256   Alg = "RS256"     // RSASSA-PKCS1-v1_5 with SHA-256
	HS256   Alg = "HS256"     // HMAC-SHA-256 with a shared secret of at least 32 bytes
	MLDSA44 Alg = "ML-DSA-44" // ML-DSA-44 (FIPS 204, RFC 9964)
	MLDSA65 Alg = "ML-DSA-65" // ML-DSA-65 (FIPS 204, RFC 9964)
	MLDSA87 Alg = "ML-DSA-87" // ML-DSA-87 (FIPS 204, RFC 9964)

	// ed25519Alg is RFC 9864's fully specified name for EdDSA over
	// Ed25519. Keys and tokens that carry it are read as EdDSA; this
	// package writes "EdDSA", which every JOSE stack reads.
	ed25519Alg Alg = "Ed25519"

	// DefaultAlg is the algorithm of keys made without an explicit choice.
	DefaultAlg = EdDSA
)

var allAlgs = []Alg{EdDSA, ES256, ES384, PS256, RS256, HS256, MLDSA44, MLDSA65, MLDSA87}

// Algs returns every supported algorithm, the default first.
func Algs() []Alg { return append([]Alg(nil), allAlgs...) }

// method returns the golang-jwt signing method that implements alg. The
// methods are package variables of golang-jwt (and of mldsa.go), so this
// never consults the name registry that a token header could steer.
func (a Alg) method() (jwt.SigningMethod, error) {
	switch a {
	case EdDSA:
		return jwt.SigningMethodEdDSA, nil
	case ES256:
		return jwt.SigningMethodES256, nil
	case ES384:
		return jwt.SigningMethodES384, nil
	case PS256:
		return jwt.SigningMethodPS256, nil
	case RS256:
		return jwt.SigningMethodRS256, nil
	case HS256:
		return jwt.SigningMethodHS256, nil
	case MLDSA44, MLDSA65, MLDSA87:
		return mldsaMethods[a], nil
	}
	return nil, fmt.Errorf("%w: signature algorithm %.64q", ErrUnsupported, string(a))
}

// String returns the JOSE name.
func (a Alg) String() string { return string(a) }
