package token

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/pemkey"
)

func readPEM(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/pem/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPEMFromOpenSSL reads the private keys OpenSSL writes, in each of its
// containers, and the matching public keys and certificate, which must
// have the same kid (the RFC 7638 thumbprint) as the private key's.
func TestPEMFromOpenSSL(t *testing.T) {
	for _, c := range []struct {
		priv, pub string
		alg       Alg
		opts      []JWKOption
	}{
		{"ed25519.pem", "", EdDSA, nil},
		{"ed25519.der", "", EdDSA, nil},
		{"p256-sec1.pem", "p256-pub.pem", ES256, nil},
		{"p256-sec1.pem", "p256-cert.pem", ES256, nil},
		{"p384.pem", "", ES384, nil},
		{"rsa2048-pkcs1.pem", "rsa2048-pub.pem", PS256, []JWKOption{WithJWKAlg(PS256)}},
	} {
		t.Run(c.priv+"+"+c.pub, func(t *testing.T) {
			k, err := ParseSigningPEM(readPEM(t, c.priv), c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if k.Alg() != c.alg || k.KID() != k.Verifying().jwk.thumbprint() {
				t.Fatalf("alg %s kid %s", k.Alg(), k.KID())
			}
			if c.pub == "" {
				return
			}
			pub, err := ParseVerifyingPEM(readPEM(t, c.pub), c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if pub.KID() != k.KID() || pub.Alg() != c.alg {
				t.Fatalf("public key %s %s, private %s %s", pub.Alg(), pub.KID(), k.Alg(), k.KID())
			}
		})
	}
}

// TestPEMRoundTrip writes every asymmetric key as PKCS#8 and PKIX and
// reads it back as the same key, with a named kid where one is given.
func TestPEMRoundTrip(t *testing.T) {
	for _, alg := range Algs() {
		if alg == HS256 {
			continue
		}
		t.Run(string(alg), func(t *testing.T) {
			k := testKey(t, alg)
			priv, err := k.MarshalPEM()
			if err != nil || !strings.HasPrefix(string(priv), "-----BEGIN PRIVATE KEY-----") {
				t.Fatalf("%s, %v", priv, err)
			}
			pub, err := k.Verifying().MarshalPEM()
			if err != nil || !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----") {
				t.Fatalf("%s, %v", pub, err)
			}
			opts := []JWKOption{WithKID("named-" + string(alg))}
			if ktyOf(alg) == "RSA" {
				opts = append(opts, WithJWKAlg(alg))
			}
			k2, err := ParseSigningPEM(priv, opts...)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := ParseVerifyingPEM(pub, opts...)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := k.Verifying().MarshalJSON()
			b, _ := k2.Verifying().MarshalJSON()
			if strings.Replace(string(a), k.KID(), "named-"+string(alg), 1) != string(b) || p2.KID() != k2.KID() {
				t.Fatalf("round trip changed the key:\n%s\n%s", a, b)
			}
		})
	}
}

// selfSigned returns a PEM certificate for key, valid from nb to na.
func selfSigned(t *testing.T, key *ecdsa.PrivateKey, nb, na time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sender.example"}, NotBefore: nb, NotAfter: na}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestPEMBadInput: each input a user may hand over by mistake gets an
// error that says what it is.
func TestPEMBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		data    []byte
		private bool
		want    error
		says    string
	}{
		"encrypted PKCS#8":                 {readPEM(t, "ed25519-encrypted.pem"), true, pemkey.ErrEncrypted, "openssl pkey"},
		"encrypted PKCS#8 DER":             {encryptedDER(t), true, pemkey.ErrEncrypted, "openssl pkey"},
		"encrypted SEC 1 (Proc-Type)":      {readPEM(t, "p256-sec1-encrypted.pem"), true, pemkey.ErrEncrypted, "openssl pkey"},
		"wrong block type":                 {[]byte("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"), true, ErrUnsupported, "CERTIFICATE REQUEST"},
		"public where private needed":      {readPEM(t, "p256-pub.pem"), true, ErrInvalidKey, "private signing key is needed"},
		"certificate where private needed": {readPEM(t, "p256-cert.pem"), true, ErrInvalidKey, "private signing key is needed"},
		"private where public expected":    {readPEM(t, "ed25519.pem"), false, ErrInvalidKey, "private key where a public key"},
		"HPKE key as signing key":          {readPEM(t, "x25519.pem"), true, ErrUnsupported, "not a signing key"},
		"P-521 (no ES512 here)":            {readPEM(t, "p521.pem"), true, ErrUnsupported, "P-521"},
		"RSA without a named alg":          {readPEM(t, "rsa2048-pkcs1.pem"), true, ErrInvalidKey, "name the alg"},
		"two keys in one file":             {append(readPEM(t, "ed25519.pem"), readPEM(t, "p384.pem")...), true, ErrMalformed, "one key per file"},
		"truncated PEM":                    {readPEM(t, "ed25519.pem")[:60], true, ErrMalformed, "complete key block"},
		"not PEM or DER":                   {[]byte("hello"), true, ErrMalformed, "neither PEM nor DER"},
		"oversized":                        {make([]byte, pemkey.MaxSize+1), true, ErrTooLarge, "exceeds"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if c.private {
				_, err = ParseSigningPEM(c.data)
			} else {
				_, err = ParseVerifyingPEM(c.data)
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
}

// encryptedDER is the DER EncryptedPrivateKeyInfo of an OpenSSL-encrypted key.
func encryptedDER(t *testing.T) []byte {
	block, _ := pem.Decode(readPEM(t, "ed25519-encrypted.pem"))
	if block == nil {
		t.Fatal("no PEM block")
	}
	return block.Bytes
}

// TestPEMExpiredCertificate: an expired certificate's key is read (a
// certificate is a container here) unless the caller asks for the dates
// to be checked.
func TestPEMExpiredCertificate(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert := selfSigned(t, key, testNow.Add(-48*time.Hour), testNow.Add(-24*time.Hour))
	if _, err := ParseVerifyingPEM(cert); err != nil {
		t.Fatalf("expired certificate's key refused without being asked: %v", err)
	}
	if _, err := ParseVerifyingPEM(cert, WithCertificateValidAt(testNow)); !errors.Is(err, ErrExpired) {
		t.Fatalf("asked to check: %v", err)
	}
	future := selfSigned(t, key, testNow.Add(time.Hour), testNow.Add(48*time.Hour))
	if _, err := ParseVerifyingPEM(future, WithCertificateValidAt(testNow)); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("not yet valid: %v", err)
	}
}
