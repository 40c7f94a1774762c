package seal

import (
	"errors"
	"os"
	"strings"
	"testing"

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

// TestPEMFromOpenSSL reads OpenSSL's keys as receiver keys of their curve's
// default alg, with the public key (or certificate) sealing to the private
// one under the same kid.
func TestPEMFromOpenSSL(t *testing.T) {
	for _, c := range []struct {
		priv, pub string
		alg       Alg
	}{
		{"p256-sec1.pem", "p256-pub.pem", HPKE0},
		{"p256-sec1.pem", "p256-cert.pem", HPKE0},
		{"p384.pem", "", HPKE1},
		{"p521.pem", "p521-pub.pem", HPKE2},
		{"x25519.pem", "x25519-pub.pem", HPKE3},
		{"x448.pem", "x448-pub.pem", HPKE5},
	} {
		t.Run(c.priv+"+"+c.pub, func(t *testing.T) {
			k, err := ParsePrivatePEM(readPEM(t, c.priv))
			if err != nil {
				t.Fatal(err)
			}
			if k.Alg() != c.alg || k.KID() != k.Public().Thumbprint() {
				t.Fatalf("alg %s kid %s", k.Alg(), k.KID())
			}
			pub := k.Public()
			if c.pub != "" {
				if pub, err = ParsePublicPEM(readPEM(t, c.pub)); err != nil {
					t.Fatal(err)
				}
			}
			sealOpen(t, k, pub)
		})
	}
}

func sealOpen(t *testing.T, k *PrivateKey, pub *PublicKey) {
	t.Helper()
	if pub.KID() != k.KID() {
		t.Fatalf("public kid %s, private %s", pub.KID(), k.KID())
	}
	env, err := Seal(pub, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := NewKeySet(k)
	if o, err := Open(ks, env); err != nil || string(o.Plaintext) != "hello" {
		t.Fatalf("open: %v", err)
	}
}

// TestPEMRoundTrip writes PKCS#8 and PKIX for every alg of a KEM with a
// standard encoding and reads the same key back under that alg; the
// others are refused.
func TestPEMRoundTrip(t *testing.T) {
	for _, alg := range Algs() {
		t.Run(string(alg), func(t *testing.T) {
			k, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := k.MarshalPEM()
			if _, std := pemKEMs[k.spec.suite.kem]; !std {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("a %s key written as PKCS#8: %v", alg, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := k.Public().MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParsePrivatePEM(priv, WithAlg(alg), WithKID("r1"))
			if err != nil {
				t.Fatal(err)
			}
			pub, err := ParsePublicPEM(pubPEM, WithAlg(alg), WithKID("r1"))
			if err != nil {
				t.Fatal(err)
			}
			if k2.Public().Thumbprint() != k.Public().Thumbprint() || k2.KID() != "r1" {
				t.Fatal("round trip changed the key")
			}
			sealOpen(t, k2, pub)
		})
	}
}

// TestPEMBadInput: the wrong thing handed over gets an error that says so.
func TestPEMBadInput(t *testing.T) {
	for name, c := range map[string]struct {
		data    []byte
		private bool
		opts    []KeyOption
		want    error
		says    string
	}{
		"encrypted":                     {readPEM(t, "ed25519-encrypted.pem"), true, nil, pemkey.ErrEncrypted, "openssl pkey"},
		"wrong block type":              {[]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"), true, nil, ErrUnsupported, "X509 CRL"},
		"public where private needed":   {readPEM(t, "x25519-pub.pem"), true, nil, ErrInvalidKey, "private sealing key is needed"},
		"private where public expected": {readPEM(t, "x25519.pem"), false, nil, ErrInvalidKey, "private key where a public key"},
		"signing key":                   {readPEM(t, "ed25519.pem"), true, nil, ErrUnsupported, "not an HPKE key"},
		"RSA key":                       {readPEM(t, "rsa2048-pub.pem"), false, nil, ErrUnsupported, "not an HPKE key"},
		"alg of another curve":          {readPEM(t, "p256-sec1.pem"), true, []KeyOption{WithAlg(HPKE1)}, ErrInvalidKey, "not HPKE-1's"},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if c.private {
				_, err = ParsePrivatePEM(c.data, c.opts...)
			} else {
				_, err = ParsePublicPEM(c.data, c.opts...)
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
	k, err := ParsePrivatePEM(readPEM(t, "p256-sec1.pem"), WithAlg(HPKE7))
	if err != nil || k.Alg() != HPKE7 {
		t.Fatalf("P-256 key named HPKE-7: %v", err)
	}
}
