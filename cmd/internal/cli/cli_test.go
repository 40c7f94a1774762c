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

// The strict default keeps RFC 7518 section 3.2's 32-byte minimum; the
// tutorial mode accepts the tutorial's own 24-byte secret, with a warning
// that cites the RFC, and still no empty secret.
func TestHMACKeyLength(t *testing.T) {
	const tutorialSecret = "captainjacksparrowsayshi"
	for _, tc := range []struct {
		name, secret, env string
		tutorial, ok      bool
		warns             bool
	}{
		{name: "none", ok: false},
		{name: "none, tutorial", tutorial: true, ok: false},
		{name: "31 bytes", secret: strings.Repeat("s", 31), ok: false},
		{name: "the tutorial's, strict", secret: tutorialSecret, ok: false},
		{name: "the tutorial's, tutorial", secret: tutorialSecret, tutorial: true, ok: true, warns: true},
		{name: "the tutorial's from the environment, tutorial", env: tutorialSecret, tutorial: true, ok: true, warns: true},
		{name: "32 bytes from the environment", env: strings.Repeat("s", 32), ok: true},
		{name: "32 bytes, tutorial", secret: strings.Repeat("s", 32), tutorial: true, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(SecretEnv, tc.env)
			var warn bytes.Buffer
			k, err := HMACKey(tc.secret, tc.tutorial, &warn)
			if (err == nil) != tc.ok {
				t.Fatalf("HMACKey: %v, want ok %v", err, tc.ok)
			}
			if err != nil && tc.secret != "" && !strings.Contains(err.Error(), "RFC 7518 section 3.2") {
				t.Errorf("refusal %q does not cite RFC 7518 section 3.2", err)
			}
			if got := strings.Contains(warn.String(), "RFC 7518 section 3.2"); got != tc.warns {
				t.Errorf("warning %q, want one citing RFC 7518 section 3.2: %v", warn.String(), tc.warns)
			}
			if k != nil && k.Alg() != token.HS256 {
				t.Errorf("key alg %s", k.Alg())
			}
		})
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
	data, _ := k.Verifying().MarshalJSON()
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
