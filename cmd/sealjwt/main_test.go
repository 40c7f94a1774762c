package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

// runIn runs the CLI in-process in dir with stdin and returns the exit code
// and both streams.
func runIn(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code := run(args, env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestEverySubcommandHasHelpWithAnExample(t *testing.T) {
	for _, c := range subcommands() {
		code, out, errs := runIn(t, t.TempDir(), "", c.name, "--help")
		if code != cli.ExitOK || errs != "" {
			t.Errorf("%s --help: exit %d, stderr %q", c.name, code, errs)
		}
		for _, want := range []string{"usage: sealjwt " + c.name, "example:", cli.ExitCodesHelp} {
			if !strings.Contains(out, want) {
				t.Errorf("%s --help lacks %q", c.name, want)
			}
		}
	}
}

func TestTopLevelHelpDocumentsExitCodes(t *testing.T) {
	code, out, _ := runIn(t, t.TempDir(), "", "help")
	if code != 0 || !strings.Contains(out, cli.ExitCodesHelp) || !strings.Contains(out, "demo") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, _, errs := runIn(t, t.TempDir(), ""); code != cli.ExitUsage || errs == "" {
		t.Fatalf("no arguments: exit %d", code)
	}
}

func TestUsageErrorsAreOneLineAndExitTwo(t *testing.T) {
	cases := [][]string{
		{"nope"},
		{"keygen", "--alg", "RSA-OAEP"},
		{"keygen", "extra"},
		{"seal", "--to", "x"},
		{"seal", "--to", "a", "--key", "b", "--iss", "c", "--aud", "d", "--claims", "[1,2]"},
		{"open", "--key", "k"},
		{"verify", "--aud", "x", "tok"},
		{"sign", "--iss", "a", "--aud", "b", "--secret", "too short", "{}"},
		{"load", "-c", "0"},
		{"load", "--target", "http://203.0.113.9:9000", "--key", "k", "--iss", "a", "--aud", "b"},
		{"pub"},
		{"demo", "--suite", "HPKE-99"},
	}
	for _, args := range cases {
		code, _, errs := runIn(t, t.TempDir(), "", args...)
		if code != cli.ExitUsage || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errs)
		}
	}
}

func TestKeygenPicksThePackageByAlg(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]bool{"HPKE-3": true, "HPKE-0-KE": true, "ES256": true, "ML-DSA-44": true, "HS256": false}
	for alg, hasPublic := range cases {
		name := strings.ToLower(strings.ReplaceAll(alg, "-", ""))
		code, _, errs := runIn(t, dir, "", "keygen", "--alg", alg, "--out", name)
		if code != 0 {
			t.Fatalf("keygen %s: exit %d: %s", alg, code, errs)
		}
		fi, err := os.Stat(filepath.Join(dir, name+".jwk"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("keygen %s: private key mode %v, %v", alg, fi.Mode().Perm(), err)
		}
		_, err = os.Stat(filepath.Join(dir, name+".pub.jwk"))
		if (err == nil) != hasPublic {
			t.Errorf("keygen %s: public file exists = %v, want %v", alg, err == nil, hasPublic)
		}
		data, _ := os.ReadFile(filepath.Join(dir, name+".jwk"))
		if cli.IsSealKey(data) != strings.HasPrefix(alg, "HPKE") {
			t.Errorf("keygen %s wrote a key of the wrong kind", alg)
		}
	}
	if code, _, _ := runIn(t, dir, "", "keygen", "--alg", "HPKE-3", "--out", "hpke3", "--force"); code != 0 {
		t.Errorf("--force did not overwrite")
	}
	if code, _, _ := runIn(t, dir, "", "pub", "hs256.jwk"); code != cli.ExitRejected {
		t.Errorf("pub published an HS256 secret")
	}
}

func TestSignVerifyInspect(t *testing.T) {
	dir := t.TempDir()
	runIn(t, dir, "", "keygen", "--alg", "ES256", "--out", "s")
	code, tok, errs := runIn(t, dir, `{"sub":"job-7"}`, "sign", "--key", "s.jwk", "--iss", "ci", "--aud", "deploy")
	if code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	code, out, _ := runIn(t, dir, tok, "inspect")
	if code != 0 || !strings.Contains(out, "UNVERIFIED") || !strings.Contains(out, `"sub": "job-7"`) || !strings.Contains(out, `"typ": "bearer+jwt"`) {
		t.Fatalf("inspect: exit %d\n%s", code, out)
	}
	code, out, _ = runIn(t, dir, tok, "verify", "--trust", "ci=s.pub.jwk", "--aud", "deploy")
	if code != 0 || !strings.Contains(out, `"sub": "job-7"`) {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	if code, _, _ := runIn(t, dir, tok, "verify", "--trust", "ci=s.pub.jwk", "--aud", "other"); code != cli.ExitRejected {
		t.Fatalf("verify with the wrong audience: exit %d", code)
	}
	if code, _, _ := runIn(t, dir, "a.b", "inspect"); code != cli.ExitRejected {
		t.Fatalf("inspect of two parts: exit %d", code)
	}
}

func TestLoadInProcess(t *testing.T) {
	code, out, errs := runIn(t, t.TempDir(), "", "load", "-n", "30", "-c", "3", "--suite", "HPKE-3", "--quiet",
		"--metrics-addr", "127.0.0.1:0", "--log-level", "debug")
	if code != 0 || !strings.Contains(out, "requests:    30 ") || !strings.Contains(out, "p99") {
		t.Fatalf("load: exit %d\n%s\n%s", code, out, errs)
	}
	// The breakdown by outcome, from each side.
	for _, want := range []string{"receiver outcomes:\n  request      accepted                       30\n",
		"sender outcomes:\n  response     accepted                       30\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("load output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(errs, "sealjwt: request accepted"); n != 30 || !strings.Contains(errs, "metrics listening") {
		t.Errorf("--log-level debug: %d accepted lines, want 30:\n%s", n, errs)
	}
}

func TestMetricsAddrThatCannotListenFails(t *testing.T) {
	code, _, errs := runIn(t, t.TempDir(), "", "load", "-n", "1", "--quiet", "--metrics-addr", "256.0.0.1:1")
	if code != 1 || !strings.Contains(errs, "metrics") {
		t.Fatalf("exit %d, stderr %q; want 1 and a metrics error", code, errs)
	}
}
