package cmd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeygenSealOpen is the command-line round trip: keys, an envelope,
// and the verified claims back, with the failures that must be refused.
func TestKeygenSealOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "HPKE-9", "--out", "receiver")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "sender")
	for name, want := range map[string]os.FileMode{"receiver.jwk": 0o600, "sender.jwk": 0o600, "receiver.pub.jwk": 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: mode %v, err %v; want %v", name, fi.Mode().Perm(), err, want)
		}
	}
	claims := `{"sub":"order-17","amount":1200}`
	env := strings.TrimSpace(mustRun(t, dir, claims, "sealjwt", "seal",
		"--to", "receiver.pub.jwk", "--key", "sender.jwk", "--iss", "orders", "--aud", "billing"))
	if strings.Count(env, ".") != 4 {
		t.Fatalf("envelope is not a compact JWE: %.60s", env)
	}
	out := mustRun(t, dir, env, "sealjwt", "open", "--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--aud", "billing")
	for _, want := range []string{`"sub": "order-17"`, `"amount": 1200`, `"iss": "orders"`, `"aud": "billing"`} {
		if !strings.Contains(out, want) {
			t.Errorf("open output lacks %s:\n%s", want, out)
		}
	}
	t.Run("inspect shows the header but never the sealed claims", func(t *testing.T) {
		out := mustRun(t, dir, env, "sealjwt", "inspect")
		if !strings.Contains(out, "UNVERIFIED") || !strings.Contains(out, `"alg": "HPKE-9"`) || strings.Contains(out, "order-17") {
			t.Fatalf("inspect output:\n%s", out)
		}
	})
	rejected := map[string][]string{
		"wrong audience":   {"--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--aud", "shipping"},
		"untrusted issuer": {"--key", "receiver.jwk", "--trust", "payments=sender.pub.jwk", "--aud", "billing"},
	}
	for name, args := range rejected {
		t.Run(name, func(t *testing.T) {
			r := run(t, dir, env, nil, "sealjwt", append([]string{"open"}, args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, "rejected") || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want 1 and one line", r.code, r.stderr)
			}
		})
	}
	t.Run("tampered envelope", func(t *testing.T) {
		i := strings.LastIndex(env, ".") - 5
		bad := env[:i] + flip(env[i]) + env[i+1:]
		r := run(t, dir, bad, nil, "sealjwt", "open", "--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--aud", "billing")
		if r.code != 1 {
			t.Fatalf("exit %d, stderr %q; want 1", r.code, r.stderr)
		}
	})
	t.Run("keygen refuses to overwrite a private key", func(t *testing.T) {
		before, _ := os.ReadFile(filepath.Join(dir, "receiver.jwk"))
		r := run(t, dir, "", nil, "sealjwt", "keygen", "--alg", "HPKE-3", "--out", "receiver")
		after, _ := os.ReadFile(filepath.Join(dir, "receiver.jwk"))
		if r.code != 1 || string(before) != string(after) {
			t.Fatalf("exit %d (want 1), file changed: %v", r.code, string(before) != string(after))
		}
	})
}

// flip changes one base64url character to another.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestDemo runs "sealjwt demo", which needs nothing but loopback.
func TestDemo(t *testing.T) {
	t.Parallel()
	r := run(t, t.TempDir(), "", nil, "sealjwt", "demo")
	if r.code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"Authorization: Sealed ", "receiver saw: GET /", "receiver saw: POST /messages",
		`"status":"received"`, "receiver answered 409"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

// TestUsageErrorsExitTwo checks the documented exit code for bad usage,
// with a one-line message on stderr.
func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
	}{
		{"sealjwt", []string{"frobnicate"}},
		{"sealjwt", []string{"seal", "--nope"}},
		{"sealjwt", []string{"load", "--target", "http://192.0.2.1:9000", "--key", "k", "--iss", "a", "--aud", "b"}},
		{"receiver", []string{"--addr", "127.0.0.1:0"}}, // no --trust
		{"sender", []string{"--url", "http://127.0.0.1:1"}},
	}
	for _, c := range cases {
		r := run(t, t.TempDir(), "", nil, c.name, c.args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s %v: exit %d, stderr %q; want 2 and one line", c.name, c.args, r.code, r.stderr)
		}
	}
}
