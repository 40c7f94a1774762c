package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/token"
)

// captureWarnings collects what the readers print to Warnings.
func captureWarnings(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := Warnings
	Warnings = &buf
	t.Cleanup(func() { Warnings = old })
	return &buf
}

// TestExpiredCertificateNotedNotRefused: a --trust certificate that has
// expired still gives its key, with a warning that says so.
func TestExpiredCertificateNotedNotRefused(t *testing.T) {
	warnings := captureWarnings(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "orders"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orders.crt")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := VerifyingKeys(path)
	if err != nil || len(set.Keys()) != 1 || set.Keys()[0].Alg() != token.ES256 {
		t.Fatalf("expired certificate's key: %v", err)
	}
	if !strings.Contains(warnings.String(), "expired at") {
		t.Fatalf("no warning: %q", warnings.String())
	}
}

// TestPublishedJWKSSkippedKeysNamed: a --trust JWKS from an identity
// provider keeps its usable keys and names the others.
func TestPublishedJWKSSkippedKeysNamed(t *testing.T) {
	warnings := captureWarnings(t)
	k, _ := token.GenerateKey(token.ES256)
	pub, _ := k.Verifying().MarshalJSON()
	path := filepath.Join(t.TempDir(), "idp.json")
	doc := `{"keys":[` + string(pub) + `,{"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := VerifyingKeys(path)
	if err != nil || len(set.Keys()) != 1 {
		t.Fatalf("published JWKS: %v", err)
	}
	if !strings.Contains(warnings.String(), `(kid "enc-1") skipped`) {
		t.Fatalf("skipped key not named: %q", warnings.String())
	}
}

func TestSplitAlg(t *testing.T) {
	for spec, want := range map[string][2]string{
		"k.pem:HPKE-7":   {"k.pem", "HPKE-7"},
		"k.pem:ES256":    {"k.pem", "ES256"},
		"dir:x/k.pem":    {"dir:x/k.pem", ""},
		"k.pem:HPKE-99":  {"k.pem:HPKE-99", ""},
		"k.pem":          {"k.pem", ""},
		":ES256":         {":ES256", ""},
		"a:b.pem:PS256":  {"a:b.pem", "PS256"},
		"x.jwk:RSA-OAEP": {"x.jwk:RSA-OAEP", ""},
	} {
		if p, a := splitAlg(spec); p != want[0] || a != want[1] {
			t.Errorf("%q: %q %q, want %q", spec, p, a, want)
		}
	}
}
