//go:build cgo

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/softhsm"
)

// TestPKCS11KeysEndToEnd: the CLI signs with and opens with keys that stay
// in a SoftHSM2 token, named by pkcs11: URIs; pub exports their public
// halves.
func TestPKCS11KeysEndToEnd(t *testing.T) {
	tok := softhsm.New(t)
	tok.GenerateEC(t, "cli-sender", "P-256")
	tok.GenerateEC(t, "cli-receiver", "P-256")
	sender, receiver := tok.URI("cli-sender"), tok.URI("cli-receiver")
	dir := t.TempDir()
	for file, spec := range map[string]string{"sender.pub.jwk": sender + ":ES256", "receiver.pub.jwk": receiver + ":HPKE-0"} {
		code, out, errs := runIn(t, dir, "", "pub", spec)
		if code != 0 {
			t.Fatalf("pub %s: %s", spec, errs)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, env, errs := runIn(t, dir, "", "seal", "--to", "receiver.pub.jwk", "--key", sender, "--iss", "orders", "--aud", "billing", `{"n":7}`)
	if code != 0 {
		t.Fatalf("seal: %s", errs)
	}
	code, out, errs := runIn(t, dir, env, "open", "--key", receiver, "--aud", "billing", "--trust", "orders=sender.pub.jwk")
	if code != 0 || !strings.Contains(out, `"n": 7`) {
		t.Fatalf("open: %d %s %s", code, out, errs)
	}
	bad := strings.Replace(receiver, "object=cli-receiver", "object=absent", 1)
	if code, _, errs := runIn(t, dir, env, "open", "--key", bad, "--aud", "billing", "--trust", "orders=sender.pub.jwk"); code == 0 || !strings.Contains(errs, "absent") {
		t.Fatalf("missing object: %d %s", code, errs)
	}
}
