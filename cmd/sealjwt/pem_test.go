package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

// pemDir is resolved before any test changes directory.
var pemDir, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "pem"))

// copyPEM copies an OpenSSL-written test key into dir.
func copyPEM(t *testing.T, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pemDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPEMKeysEndToEnd: keys written by keygen --format pem and by OpenSSL
// seal and open through the same flags that take JWKs, told apart by
// content.
func TestPEMKeysEndToEnd(t *testing.T) {
	dir := t.TempDir()
	copyPEM(t, dir, "x25519.pem")
	copyPEM(t, dir, "x25519-pub.pem")
	for _, args := range [][]string{
		{"keygen", "--alg", "ES256", "--format", "pem", "--out", "sender"},
		{"keygen", "--alg", "HPKE-7", "--format", "pem", "--out", "receiver"},
	} {
		if code, _, errs := runIn(t, dir, "", args...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "sender.pem")); !strings.HasPrefix(string(data), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("sender.pem: %s", data)
	}
	for _, c := range []struct{ to, key string }{
		{"receiver.pub.pem:HPKE-7", "receiver.pem:HPKE-7"}, // P-256 named away from its default HPKE-0
		{"x25519-pub.pem", "x25519.pem"},                   // OpenSSL's, HPKE-3 by default
	} {
		code, env, errs := runIn(t, dir, "", "seal", "--to", c.to, "--key", "sender.pem", "--iss", "orders", "--aud", "billing", `{"n":1}`)
		if code != 0 {
			t.Fatalf("seal to %s: %s", c.to, errs)
		}
		code, out, errs := runIn(t, dir, env, "open", "--key", c.key, "--aud", "billing", "--trust", "orders=sender.pub.pem")
		if code != 0 || !strings.Contains(out, `"n": 1`) {
			t.Fatalf("open with %s: exit %d %s %s", c.key, code, out, errs)
		}
	}
}

// TestPubConvertsBetweenFormats: pub reads JWK or PEM, private or public,
// and writes a JWKS or PKIX PEM of the same key (same kid).
func TestPubConvertsBetweenFormats(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runIn(t, dir, "", "keygen", "--alg", "EdDSA", "--out", "s"); code != 0 {
		t.Fatal(errs)
	}
	code, pemOut, errs := runIn(t, dir, "", "pub", "--format", "pem", "s.jwk")
	if code != 0 || !strings.HasPrefix(pemOut, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("pub --format pem: %d %s %s", code, pemOut, errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.pub.pem"), []byte(pemOut), 0o644); err != nil {
		t.Fatal(err)
	}
	kid := func(jwks string) string {
		var set struct{ Keys []struct{ Kid string } }
		if err := json.Unmarshal([]byte(jwks), &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("%s: %v", jwks, err)
		}
		return set.Keys[0].Kid
	}
	_, fromJWK, _ := runIn(t, dir, "", "pub", "s.jwk")
	code, fromPEM, errs := runIn(t, dir, "", "pub", "s.pub.pem")
	if code != 0 || kid(fromPEM) != kid(fromJWK) {
		t.Fatalf("PEM back to JWK: %s %s", fromPEM, errs)
	}
	copyPEM(t, dir, "p256-sec1.pem")
	if code, _, errs := runIn(t, dir, "", "pub", "p256-sec1.pem"); code != cli.ExitUsage || !strings.Contains(errs, "name the alg") {
		t.Fatalf("an EC PEM key without its alg: %d %s", code, errs)
	}
	for _, alg := range []string{"ES256", "HPKE-0"} {
		if code, _, errs := runIn(t, dir, "", "pub", "p256-sec1.pem:"+alg); code != 0 {
			t.Fatalf("p256-sec1.pem:%s: %s", alg, errs)
		}
	}
}

// TestKeyFlagBadPEM: the CLI passes on what is wrong with a PEM key file.
func TestKeyFlagBadPEM(t *testing.T) {
	dir := t.TempDir()
	copyPEM(t, dir, "ed25519-encrypted.pem")
	copyPEM(t, dir, "p256-pub.pem")
	copyPEM(t, dir, "x25519-pub.pem")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"sign", "--key", "ed25519-encrypted.pem", "--iss", "a", "--aud", "b", "{}"}, "openssl pkey"},
		{[]string{"sign", "--key", "p256-pub.pem", "--iss", "a", "--aud", "b", "{}"}, "private signing key is needed"},
		{[]string{"open", "--key", "x25519-pub.pem", "--aud", "b", "--trust", "a=p256-pub.pem", "x"}, "private sealing key is needed"},
		{[]string{"keygen", "--alg", "HPKE-9", "--format", "pem"}, "no PKCS#8 form"},
		{[]string{"keygen", "--alg", "HS256", "--format", "pem"}, "no PEM form"},
	} {
		code, _, errs := runIn(t, dir, "", c.args...)
		if code == 0 || !strings.Contains(errs, c.says) {
			t.Errorf("%v: exit %d, %q; want it to say %q", c.args, code, errs, c.says)
		}
	}
}
