// Package pemkey reads and writes keys as Go users keep them: PEM or DER,
// in PKCS#8, PKCS#1, SEC 1 and PKIX (SubjectPublicKeyInfo) form, and the
// public key of an X.509 certificate. It decodes the containers only;
// seal and token decide which keys they can use and for which alg.
package pemkey

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// MaxSize bounds a PEM or DER input before any decoding: a certificate
// chain with an 8192-bit RSA or ML-DSA-87 key fits well within it.
const MaxSize = 64 << 10

// ErrEncrypted is the refusal of an encrypted private key.
var ErrEncrypted = fmt.Errorf("%w: encrypted private keys are not supported; decrypt with `openssl pkey -in KEY -out PLAIN`", errs.ErrUnsupported)

// Raw is a key in an algorithm the standard library does not parse (ML-DSA,
// ML-KEM, X448): its algorithm, the key octets (PKCS#8 privateKey, or the
// SubjectPublicKeyInfo BIT STRING), and the whole DER it came in.
type Raw struct {
	OID   asn1.ObjectIdentifier
	Bytes []byte
	DER   []byte
}

// Key is what an input held: a private key, or a public key (perhaps from
// a certificate). Private is nil for a public key; Public is nil for a
// private key, whose public half the caller derives.
type Key struct {
	Private any // *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, *ecdh.PrivateKey, *Raw
	Public  any // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, *ecdh.PublicKey, *Raw
	Cert    *x509.Certificate
}

// IsPEM reports whether data is PEM text (possibly after leading space).
func IsPEM(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("-----BEGIN "))
}

// LooksLikeDER reports whether data starts as an ASN.1 SEQUENCE does.
func LooksLikeDER(data []byte) bool { return len(data) > 2 && data[0] == 0x30 }

// blockTypes are the PEM block types read, for the error naming the rest.
const blockTypes = "PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE"

// Parse reads one key from PEM or DER. In PEM, EC PARAMETERS blocks (which
// openssl ecparam writes before a key) are passed over, and certificates
// after a leaf certificate (a chain) are ignored; anything else after the
// key is refused.
func Parse(data []byte) (*Key, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: key file of %d bytes exceeds %d", errs.ErrTooLarge, len(data), MaxSize)
	}
	if !IsPEM(data) {
		return parseDER(data)
	}
	block, err := keyBlock(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "PRIVATE KEY":
		return parsePKCS8(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		return private(k, err, "PKCS#1 RSA private key")
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		return private(k, err, "SEC 1 EC private key")
	case "PUBLIC KEY":
		return parsePKIX(block.Bytes)
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PKCS#1 RSA public key: %v", errs.ErrMalformed, err)
		}
		return &Key{Public: k}, nil
	case "CERTIFICATE":
		return parseCertificate(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, ErrEncrypted
	}
	return nil, fmt.Errorf("%w: PEM block %.40q is not a key; expected %s", errs.ErrUnsupported, block.Type, blockTypes)
}

// keyBlock returns the one key block of a PEM text.
func keyBlock(data []byte) (*pem.Block, error) {
	var key *pem.Block
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = next
		switch {
		case block.Headers["Proc-Type"] != "" || block.Headers["DEK-Info"] != "":
			return nil, ErrEncrypted
		case block.Type == "EC PARAMETERS":
			continue
		case key == nil:
			key = block
		case key.Type == "CERTIFICATE" && block.Type == "CERTIFICATE":
			continue // the rest of a chain; the leaf comes first
		default:
			return nil, fmt.Errorf("%w: PEM holds %s after %s; give one key per file", errs.ErrMalformed, block.Type, key.Type)
		}
	}
	if key == nil || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, fmt.Errorf("%w: PEM text without a complete key block, or with text after it", errs.ErrMalformed)
	}
	return key, nil
}

// parseDER tries each DER form in turn; the first that parses wins.
func parseDER(der []byte) (*Key, error) {
	if !LooksLikeDER(der) {
		return nil, fmt.Errorf("%w: neither PEM nor DER", errs.ErrMalformed)
	}
	if k, err := parsePKCS8(der); err == nil {
		return k, nil
	}
	if k, err := parsePKIX(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return &Key{Private: k}, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return &Key{Private: k}, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return &Key{Public: k}, nil
	}
	if k, err := parseCertificate(der); err == nil {
		return k, nil
	}
	if isEncryptedPKCS8(der) {
		return nil, ErrEncrypted
	}
	return nil, fmt.Errorf("%w: DER is not a PKCS#8, PKCS#1, SEC 1 or PKIX key, nor a certificate", errs.ErrMalformed)
}

func private(k any, err error, what string) (*Key, error) {
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errs.ErrMalformed, what, err)
	}
	return &Key{Private: k}, nil
}

// pkcs8 is RFC 5958 OneAsymmetricKey, enough of it to find the algorithm.
type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
	Rest       asn1.RawValue `asn1:"optional"`
	Rest2      asn1.RawValue `asn1:"optional"`
}

// spki is RFC 5280 SubjectPublicKeyInfo.
type spki struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// rawOIDs are the algorithms parsed here rather than by crypto/x509.
var rawOIDs = []asn1.ObjectIdentifier{
	{1, 3, 101, 111},                                                                                        // X448 (RFC 8410)
	{2, 16, 840, 1, 101, 3, 4, 3, 17}, {2, 16, 840, 1, 101, 3, 4, 3, 18}, {2, 16, 840, 1, 101, 3, 4, 3, 19}, // ML-DSA
	{2, 16, 840, 1, 101, 3, 4, 4, 2}, {2, 16, 840, 1, 101, 3, 4, 4, 3}, // ML-KEM-768, ML-KEM-1024
}

func isRawOID(oid asn1.ObjectIdentifier) bool {
	for _, o := range rawOIDs {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

func parsePKCS8(der []byte) (*Key, error) {
	var p pkcs8
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PKCS#8: not one OneAsymmetricKey", errs.ErrMalformed)
	}
	if isRawOID(p.Algo.Algorithm) {
		return &Key{Private: &Raw{OID: p.Algo.Algorithm, Bytes: p.PrivateKey, DER: der}}, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	return private(k, err, "PKCS#8 private key")
}

func parsePKIX(der []byte) (*Key, error) {
	var p spki
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PKIX: not one SubjectPublicKeyInfo", errs.ErrMalformed)
	}
	if isRawOID(p.Algo.Algorithm) {
		return &Key{Public: &Raw{OID: p.Algo.Algorithm, Bytes: p.PublicKey.RightAlign(), DER: der}}, nil
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: PKIX public key: %v", errs.ErrUnsupported, err)
	}
	return &Key{Public: k}, nil
}

func parseCertificate(der []byte) (*Key, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate: %v", errs.ErrMalformed, err)
	}
	k, err := parsePKIX(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, fmt.Errorf("certificate's public key: %w", err)
	}
	k.Cert = cert
	return k, nil
}

// isEncryptedPKCS8 reports whether der is RFC 5958 EncryptedPrivateKeyInfo:
// an AlgorithmIdentifier then an OCTET STRING.
func isEncryptedPKCS8(der []byte) bool {
	var e struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}
	rest, err := asn1.Unmarshal(der, &e)
	return err == nil && len(rest) == 0 && len(e.Algo.Algorithm) > 0
}

// MarshalPKCS8 writes a private key the standard library can marshal as
// PEM "PRIVATE KEY".
func MarshalPKCS8(key any) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPKIX writes a public key the standard library can marshal as PEM
// "PUBLIC KEY".
func MarshalPKIX(key any) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// MarshalRawPKCS8 writes a OneAsymmetricKey (version 0) for oid around the
// privateKey octets, as PEM "PRIVATE KEY".
func MarshalRawPKCS8(oid asn1.ObjectIdentifier, privateKey []byte) ([]byte, error) {
	der, err := asn1.Marshal(struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: oid}, privateKey})
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalRawPKIX writes a SubjectPublicKeyInfo for oid around the public
// key octets, as PEM "PUBLIC KEY".
func MarshalRawPKIX(oid asn1.ObjectIdentifier, publicKey []byte) ([]byte, error) {
	der, err := asn1.Marshal(spki{pkix.AlgorithmIdentifier{Algorithm: oid}, asn1.BitString{Bytes: publicKey, BitLength: 8 * len(publicKey)}})
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
