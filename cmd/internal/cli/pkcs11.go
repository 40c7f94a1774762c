//go:build cgo

package cli

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/pkcs11"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// IsPKCS11 reports whether a key flag's value is an RFC 7512 pkcs11: URI
// (pkcs11:token=LABEL;object=LABEL?pin-source=file:PATH&module-path=SO),
// optionally followed by :ALG.
func IsPKCS11(spec string) bool { return strings.HasPrefix(spec, "pkcs11:") }

// pkcs11SealKeys opens an EC key in a token as a receiver key, bound to
// ALG or to its curve's default HPKE alg.
func pkcs11SealKeys(spec string) (*seal.KeySet, error) {
	uri, alg := splitAlg(spec)
	k, err := pkcs11.Open(uri)
	if err != nil {
		return nil, err
	}
	ke, err := k.KeyExchanger()
	if err != nil {
		return nil, err
	}
	if alg == "" {
		alg = string(seal.DefaultAlgFor(ke.Curve()))
	}
	key, err := seal.NewPrivateKeyFromKeyExchanger(seal.Alg(alg), ke)
	if err != nil {
		return nil, err
	}
	return seal.NewKeySet(key)
}

// pkcs11SigningKeys opens a key in a token as a signing key, bound to ALG
// or to the alg its key implies (EC: its curve's ES alg; Ed25519: EdDSA).
func pkcs11SigningKeys(spec string) (*token.KeySet, error) {
	uri, alg := splitAlg(spec)
	k, err := pkcs11.Open(uri)
	if err != nil {
		return nil, err
	}
	if alg == "" {
		alg = impliedSigningAlg(k.Public())
	}
	if alg == "" {
		return nil, Usagef("name the alg of the PKCS#11 key: %s:ALG (RS256, PS256, ...)", uri)
	}
	key, err := token.NewSigningKeyFromSigner(token.Alg(alg), k)
	if err != nil {
		return nil, fmt.Errorf("PKCS#11 key: %w", err)
	}
	return token.NewKeySet(key)
}

// impliedSigningAlg is the one alg a public key implies, or "" for an RSA
// key (RS256 or PS256: the caller names it).
func impliedSigningAlg(pub crypto.PublicKey) string {
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		return map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384"}[pub.Curve]
	case ed25519.PublicKey:
		return string(token.EdDSA)
	}
	return ""
}
