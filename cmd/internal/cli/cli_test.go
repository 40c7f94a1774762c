package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/token"
)

func TestFailWritesOneLineWithTheRightCode(t *testing.T) {
	c := Command{Name: "sealjwt test"}
	var buf bytes.Buffer
	if code := c.Fail(&buf, errors.New("first\nsecond\tthird")); code != ExitRejected {
		t.Errorf("failure: exit %d", code)
	}
	if code := c.Fail(&buf, Usagef("bad flag")); code != ExitUsage {
		t.Errorf("usage: exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "sealjwt test: first second third" || !strings.Contains(lines[1], "--help") {
		t.Fatalf("stderr:\n%s", buf.String())
	}
}

func TestParseHelpGoesToStdout(t *testing.T) {
	c := Command{Name: "x", Examples: "x --n 1"}
	fs := c.NewFlagSet()
	fs.Int("n", 0, "a number")
	var out, errb bytes.Buffer
	code, done := c.Parse(fs, []string{"-h"}, &out, &errb)
	if !done || code != ExitOK || errb.Len() != 0 || !strings.Contains(out.String(), "x --n 1") {
		t.Fatalf("help: done %v code %d stdout %q stderr %q", done, code, out.String(), errb.String())
	}
}

func TestWritePrivateIsOwnerOnlyAndNeverClobbers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.jwk")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePrivate(path, []byte("new"), false); err == nil {
		t.Fatal("overwrote without force")
	}
	if err := WritePrivate(path, []byte("new"), true); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	data, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(data) != "new\n" {
		t.Fatalf("mode %v, content %q: a forced write must also tighten the mode", fi.Mode().Perm(), data)
	}
}

func TestTrustFlagSyntax(t *testing.T) {
	var f TrustFlag
	for _, bad := range []string{"", "issuer", "=file", "issuer="} {
		if f.Set(bad) == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := f.Set("orders=a=b.jwk"); err != nil || f.Len() != 1 || f.paths[0] != "a=b.jwk" {
		t.Fatalf("Set: %v, %+v", err, f)
	}
	if _, err := f.Load(); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

func TestHMACKeyLength(t *testing.T) {
	t.Setenv(SecretEnv, "")
	if _, err := HMACKey(""); err == nil {
		t.Error("no secret accepted")
	}
	if _, err := HMACKey(strings.Repeat("s", 31)); err == nil {
		t.Error("31-byte secret accepted")
	}
	t.Setenv(SecretEnv, strings.Repeat("s", 32))
	if _, err := HMACKey(""); err != nil {
		t.Errorf("secret from the environment: %v", err)
	}
}

func TestReadAllFailsPastTheCap(t *testing.T) {
	if _, err := ReadAll(bytes.NewReader(make([]byte, MaxInput+1)), "big"); err == nil {
		t.Fatal("read past the cap")
	}
}

// TestTrustFlagNamesTheAlgOfKeysWithoutOne reads --trust ISSUER=FILE:ALG
// for a JWK exported without "alg", as other JOSE stacks write them.
func TestTrustFlagNamesTheAlgOfKeysWithoutOne(t *testing.T) {
	k, err := token.GenerateKey(token.MLDSA44)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := k.Public().MarshalJSON()
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	delete(m, "alg")
	data, _ = json.Marshal(m)
	dir := t.TempDir()
	path := filepath.Join(dir, "idp:key.jwk") // a colon in the file name stays in it
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var plain TrustFlag
	if err := plain.Set("idp=" + path); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Load(); !errors.Is(err, token.ErrInvalidKey) {
		t.Fatalf("ML-DSA key without alg and none named: %v", err)
	}
	var named TrustFlag
	if err := named.Set("idp=" + path + ":ML-DSA-44"); err != nil {
		t.Fatal(err)
	}
	got, err := named.Load()
	if err != nil || got[0].Issuer != "idp" || got[0].Keys.Keys()[0].Alg() != token.MLDSA44 {
		t.Fatalf("named: %v", err)
	}
	if err := named.Set("no-file"); err == nil || !strings.Contains(err.Error(), "ISSUER=FILE") {
		t.Fatalf("malformed flag: %v", err)
	}
}

// FuzzKeyFileChecks feeds arbitrary key files to the kind checks and
// arbitrary values to --trust: no panic, and a value Set accepts has an
// issuer and a file.
func FuzzKeyFileChecks(f *testing.F) {
	f.Add([]byte(`{"kty":"OKP","crv":"X25519","alg":"HPKE-3","x":"AAAA","d":"AAAA"}`), "a=b.jwk:EdDSA")
	f.Add([]byte(`{"keys":[{"kty":"AKP","alg":"ML-DSA-44","pub":"AA"}]}`), "a=b:c:ES256")
	f.Add([]byte(`{"keys":[]}`), "=")
	f.Fuzz(func(t *testing.T, data []byte, flag string) {
		for _, sealing := range []bool{true, false} {
			for _, private := range []bool{true, false} {
				_ = checkKind("f.jwk", data, sealing, private)
			}
		}
		var tf TrustFlag
		if tf.Set(flag) == nil && (tf.issuers[0] == "" || tf.paths[0] == "") {
			t.Fatalf("Set(%q) accepted an empty issuer or file", flag)
		}
	})
}
