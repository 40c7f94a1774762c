package token

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/cloudflare/circl/sign"
	"github.com/golang-jwt/jwt/v5"
)

// opaqueKey is the key value of a SigningKey whose private half lives
// behind a crypto.Signer: a KMS, an HSM, a PKCS#11 token. It is signed
// with by opaqueMethod, never by golang-jwt's own methods, which want the
// private key itself.
type opaqueKey struct {
	alg    Alg
	signer crypto.Signer
}

// NewSigningKeyFromSigner binds a crypto.Signer to alg, so that tokens
// are signed without the private key entering the process. The signer's
// Public() must be a key alg fits: *ecdsa.PublicKey on the alg's curve
// (ES256, ES384; the signer returns ASN.1, converted here to the JWS
// form), *rsa.PublicKey (RS256, PS256), ed25519.PublicKey (EdDSA), or
// circl's ML-DSA public key of the alg's parameter set (the signer signs
// the message itself, with an empty context). The kid is the RFC 7638
// thumbprint of that public key. The returned key has no private JWK.
func NewSigningKeyFromSigner(alg Alg, signer crypto.Signer) (*SigningKey, error) {
	if signer == nil {
		return nil, fmt.Errorf("%w: nil crypto.Signer", ErrInvalidKey)
	}
	if alg == HS256 {
		return nil, fmt.Errorf("%w: HS256 is a shared secret, not a crypto.Signer", ErrInvalidKey)
	}
	pub, err := signerPublic(alg, signer.Public())
	if err != nil {
		return nil, err
	}
	vk, err := newVerifyingKey(alg, pub)
	if err != nil {
		return nil, err
	}
	return &SigningKey{alg: alg, kid: vk.kid, key: &opaqueKey{alg: alg, signer: signer}, pub: vk}, nil
}

// signerPublic turns a crypto.Signer's public key into the value this
// package verifies with.
func signerPublic(alg Alg, pub crypto.PublicKey) (any, error) {
	if pk, ok := pub.(sign.PublicKey); ok {
		p := mldsaParamSets[alg]
		if p == nil || pk.Scheme() != p.scheme {
			return nil, fmt.Errorf("%w: %T cannot be used with %s", ErrInvalidKey, pub, alg)
		}
		raw, err := pk.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return newMLDSAPublic(p, raw)
	}
	return pub, nil
}

// signingMethod returns what signs with k: golang-jwt's method for its
// alg, or for a key behind a crypto.Signer, opaqueMethod.
func (k *SigningKey) signingMethod() (jwt.SigningMethod, error) {
	if _, ok := k.key.(*opaqueKey); ok {
		return opaqueMethod{}, nil
	}
	return k.alg.method()
}

// opaqueMethod signs with an *opaqueKey (a jwt.SigningMethod for the
// Signer; it never verifies: verifying keys are public and go through
// golang-jwt).
type opaqueMethod struct{}

func (opaqueMethod) Alg() string { return "" }

func (opaqueMethod) Verify(string, []byte, any) error { return jwt.ErrInvalidKeyType }

func (opaqueMethod) Sign(signingString string, key any) ([]byte, error) {
	k, ok := key.(*opaqueKey)
	if !ok {
		return nil, jwt.ErrInvalidKeyType
	}
	return signWithSigner(k.alg, k.signer, []byte(signingString))
}

// signWithSigner has signer sign msg as alg requires, and returns the
// signature in its JWS form (RFC 7518 section 3).
func signWithSigner(alg Alg, signer crypto.Signer, msg []byte) ([]byte, error) {
	var h crypto.Hash
	switch alg {
	case ES256, RS256, PS256:
		h = crypto.SHA256
	case ES384:
		h = crypto.SHA384
	case EdDSA:
		return signerSign(signer, msg, crypto.Hash(0)) // Ed25519 signs the message itself
	case MLDSA44, MLDSA65, MLDSA87:
		return mldsaMethods[alg].signOpaque(string(msg), signer)
	default:
		return nil, fmt.Errorf("%w: %s with a crypto.Signer", ErrUnsupported, alg)
	}
	d := h.New()
	d.Write(msg)
	digest := d.Sum(nil)
	switch alg {
	case PS256:
		return signerSign(signer, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h})
	case RS256:
		return signerSign(signer, digest, h)
	}
	der, err := signerSign(signer, digest, h)
	if err != nil {
		return nil, err
	}
	return ecdsaRaw(der, (curveOf(alg).Params().BitSize+7)/8)
}

// signerSign calls the signer, which may be a remote service, and names
// it in a failure.
func signerSign(signer crypto.Signer, data []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := signer.Sign(rand.Reader, data, opts)
	if err != nil {
		return nil, fmt.Errorf("crypto.Signer %T: %w", signer, err)
	}
	return sig, nil
}

// ecdsaRaw converts an ASN.1 ECDSA signature (what crypto.Signer returns)
// into the JWS form: r and s, each left-padded to size bytes.
func ecdsaRaw(der []byte, size int) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &rs)
	if err != nil || len(rest) != 0 || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 ||
		rs.R.BitLen() > 8*size || rs.S.BitLen() > 8*size {
		return nil, fmt.Errorf("%w: the crypto.Signer returned no valid ASN.1 ECDSA signature", ErrInvalidKey)
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out, nil
}
