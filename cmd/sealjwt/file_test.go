package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// fileKeys makes a service and a recovery key (HPKE-9 and HPKE-3), an
// outsider's key, and a sender's key (EdDSA) in dir.
func fileKeys(t *testing.T, dir string) {
	t.Helper()
	for _, k := range [][]string{{"HPKE-9", "service"}, {"HPKE-3", "recovery"}, {"HPKE-9", "outsider"}, {"EdDSA", "backup"}} {
		if code, _, errs := runIn(t, dir, "", "keygen", "--alg", k[0], "--out", k[1]); code != cli.ExitOK {
			t.Fatalf("keygen %s: %s", k[0], errs)
		}
	}
}

// pubKID returns the kid of a public key file.
func pubKID(t *testing.T, dir, name string) string {
	t.Helper()
	code, out, errs := runIn(t, dir, "", "keyset", "list", "--set", name+".pub.jwk")
	if code != cli.ExitOK {
		t.Fatalf("keyset list: %s", errs)
	}
	return strings.Fields(out)[2]
}

// A backup sealed to a service key and a recovery key opens with either
// key alone, from files; another key is refused with the recipients' kids;
// outputs are not overwritten without --force.
func TestFileSealedToTwoOpensWithEither(t *testing.T) {
	dir := t.TempDir()
	fileKeys(t, dir)
	data := strings.Repeat("backup bytes ", 10000)
	if err := os.WriteFile(dir+"/db.dump", []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runIn(t, dir, "", "seal", "--file", "--to", "service.pub.jwk", "--to", "recovery.pub.jwk",
		"--key", "backup.jwk", "--iss", "backup", "-i", "db.dump", "-o", "db.dump.sealed", `{"name":"db.dump"}`)
	if code != cli.ExitOK {
		t.Fatalf("seal --file: exit %d, %s", code, errs)
	}
	open := func(out string, keys ...string) (int, string) {
		args := []string{"open", "--file", "--trust", "backup=backup.pub.jwk", "-i", "db.dump.sealed", "-o", out}
		for _, k := range keys {
			args = append(args, "--key", k)
		}
		code, _, errs := runIn(t, dir, "", args...)
		return code, errs
	}
	for i, key := range []string{"service.jwk", "recovery.jwk"} {
		out := "out" + string(rune('0'+i))
		if code, errs := open(out, key); code != cli.ExitOK || !strings.Contains(errs, `sealed by "backup"`) {
			t.Fatalf("open --file --key %s: exit %d, %s", key, code, errs)
		}
		if got, _ := os.ReadFile(dir + "/" + out); string(got) != data {
			t.Fatalf("--key %s: %d of %d bytes", key, len(got), len(data))
		}
	}
	if code, errs := open("out0", "service.jwk"); code != cli.ExitRejected || !strings.Contains(errs, "--force") {
		t.Fatalf("open over an existing output: exit %d, %s", code, errs)
	}
	code, errs = open("out2", "outsider.jwk")
	if code != cli.ExitRejected || !strings.Contains(errs, pubKID(t, dir, "service")) || !strings.Contains(errs, pubKID(t, dir, "recovery")) {
		t.Fatalf("a key that is no recipient: exit %d, %s", code, errs)
	}
	if _, err := os.Stat(dir + "/out2"); !os.IsNotExist(err) {
		t.Fatalf("a rejected file left an output: %v", err)
	}
	if code, errs := open("out3", "outsider.jwk", "recovery.jwk"); code != cli.ExitOK {
		t.Fatalf("--key outsider --key recovery: exit %d, %s", code, errs)
	}
	if code, errs := open("out4", "service.jwk", "service.jwk"); code != cli.ExitRejected || !strings.Contains(errs, "--key") {
		t.Fatalf("the same key twice: exit %d, %s", code, errs)
	}
}

// --max-age takes days; a file older than it is refused.
func TestFileMaxAgeInDays(t *testing.T) {
	dir := t.TempDir()
	fileKeys(t, dir)
	_, sealed, errs := runIn(t, dir, "data", "seal", "--file", "--to", "service.pub.jwk", "--key", "backup.jwk", "--iss", "backup")
	if sealed == "" {
		t.Fatalf("seal --file: %s", errs)
	}
	for _, tc := range []struct {
		age  string
		want int
	}{{"90d", cli.ExitOK}, {"1s", cli.ExitOK}, {"0d", cli.ExitUsage}, {"ninety", cli.ExitUsage}} {
		code, out, errs := runIn(t, dir, sealed, "open", "--file", "--key", "service.jwk", "--trust", "backup=backup.pub.jwk", "--max-age", tc.age)
		if code != tc.want || (code == cli.ExitOK && out != "data") {
			t.Errorf("--max-age %s: exit %d, %q %s", tc.age, code, out, errs)
		}
	}
}

// The errors say what to do: data given as an argument to seal --stream,
// and a message-only flag with --file.
func TestFileAndStreamUsageErrors(t *testing.T) {
	dir := t.TempDir()
	fileKeys(t, dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"seal", "--stream", "--to", "service.pub.jwk", "--key", "backup.jwk", "--iss", "backup", "--aud", "vault", "some data"}, "stdin or -i"},
		{[]string{"seal", "--file", "--to", "service.pub.jwk", "--key", "backup.jwk", "--iss", "backup", "--aud", "vault"}, "--aud is for messages"},
		{[]string{"seal", "--to", "service.pub.jwk", "--to", "recovery.pub.jwk", "--key", "backup.jwk", "--iss", "backup", "--aud", "vault"}, "several recipients need --file"},
		{[]string{"open", "--key", "service.jwk", "--trust", "backup=backup.pub.jwk", "--aud", "vault", "--max-age", "9d"}, "--max-age is for --file"},
	} {
		code, _, errs := runIn(t, dir, "", tc.args...)
		if code != cli.ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, %s (want %q)", tc.args, code, errs, tc.want)
		}
	}
}

// inspect reads only the head: a file's recipients without a key, and who
// sealed it with a recipient's key, even from a reader that fails after
// the head.
func TestInspectReadsOnlyTheHead(t *testing.T) {
	dir := t.TempDir()
	fileKeys(t, dir)
	_, sealed, errs := runIn(t, dir, strings.Repeat("x", 1<<16), "seal", "--file", "--to", "service.pub.jwk", "--to", "recovery.pub.jwk", "--key", "backup.jwk", "--iss", "backup")
	if sealed == "" {
		t.Fatalf("seal --file: %s", errs)
	}
	head := sealed[:4+binary.BigEndian.Uint32([]byte(sealed))]
	code, out, errs := runIn(t, dir, head, "inspect")
	if code != cli.ExitOK || !strings.Contains(out, "UNVERIFIED") || !strings.Contains(out, pubKID(t, dir, "recovery")) || !strings.Contains(out, "X-Wing") {
		t.Fatalf("inspect of a file head: exit %d, %s %s", code, out, errs)
	}
	code, out, errs = runIn(t, dir, head, "inspect", "--key", "recovery.jwk")
	if code != cli.ExitOK || !strings.Contains(out, `"iss": "backup"`) || !strings.Contains(out, "NOT verified") {
		t.Fatalf("inspect --key of a file head: exit %d, %s %s", code, out, errs)
	}
	_, stream, _ := runIn(t, dir, "data", "seal", "--stream", "--to", "service.pub.jwk", "--key", "backup.jwk", "--iss", "backup", "--aud", "vault")
	if err := os.WriteFile(dir+"/s.sealed", []byte(stream), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runIn(t, dir, "", "inspect", "--key", "service.jwk", "s.sealed")
	if code != cli.ExitOK || !strings.Contains(out, "sealed stream") || !strings.Contains(out, "seal-stream+jwt") {
		t.Fatalf("inspect of a stream file: exit %d, %s %s", code, out, errs)
	}
}

// Rotation without hand-written JSON: add a new primary, publish, drop.
func TestKeysetRotation(t *testing.T) {
	dir := t.TempDir()
	fileKeys(t, dir)
	steps := [][]string{
		{"keyset", "add", "--set", "receiver.jwks", "service.jwk"},
		{"keyset", "add", "--set", "receiver.jwks", "--primary", "recovery.jwk"},
		{"keyset", "pub", "--set", "receiver.jwks", "-o", "receiver.pub.jwks"},
	}
	for _, s := range steps {
		if code, _, errs := runIn(t, dir, "", s...); code != cli.ExitOK {
			t.Fatalf("%v: %s", s, errs)
		}
	}
	_, out, _ := runIn(t, dir, "", "keyset", "list", "--set", "receiver.pub.jwks")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], pubKID(t, dir, "recovery")) || !strings.Contains(lines[0], "primary") {
		t.Fatalf("public set after rotation:\n%s", out)
	}
	if code, _, errs := runIn(t, dir, "", "keyset", "add", "--set", "receiver.jwks", "backup.jwk"); code == cli.ExitOK {
		t.Fatalf("a signing key added to a sealing set: %s", errs)
	}
	if code, _, errs := runIn(t, dir, "", "keyset", "add", "--set", "receiver.jwks", "outsider.pub.jwk"); code != cli.ExitUsage {
		t.Fatalf("a public key added to a private set: exit %d, %s", code, errs)
	}
	if code, _, errs := runIn(t, dir, "", "keyset", "drop", "--set", "receiver.jwks", pubKID(t, dir, "service")); code != cli.ExitOK {
		t.Fatalf("drop: %s", errs)
	}
	_, out, _ = runIn(t, dir, "", "keyset", "list", "--set", "receiver.jwks")
	if strings.Count(out, "kid") != 1 {
		t.Fatalf("after drop:\n%s", out)
	}
	if fi, _ := os.Stat(dir + "/receiver.jwks"); fi.Mode().Perm() != 0o600 {
		t.Fatalf("set file mode %v", fi.Mode().Perm())
	}
}

// An expired stream says what to use for data kept longer.
func TestExpiredStreamSaysSealFile(t *testing.T) {
	sk, _ := token.GenerateKey(token.EdDSA)
	signKeys, _ := token.NewKeySet(sk)
	ek, _ := seal.GenerateKey(seal.HPKE3)
	sealKeys, _ := seal.NewKeySet(ek)
	signer, _ := token.NewSigner(signKeys, "backup")
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	w, err := sealer.SealStream(context.Background(), &stream, ek.Public(), "vault", nil)
	if err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	v, _ := token.NewVerifier("vault", token.WithClock(later))
	_ = v.Trust("backup", signKeys.Verifying())
	opener, _ := sealjwt.NewOpener(sealKeys, v)
	var out, errb bytes.Buffer
	err = openStdin(env{stdin: &stream, stdout: &out, stderr: &errb}, &dataFlags{}, opener)
	if !errors.Is(err, sealjwt.ErrExpired) || !strings.Contains(err.Error(), "seal files with `seal --file`") {
		t.Fatalf("an expired stream: %v", err)
	}
}

// A thumbprint kid may begin with '-': drop takes it as a kid, after the
// flags, not as an unknown flag.
func TestKeysetKIDBeginningWithDash(t *testing.T) {
	fs := flag.NewFlagSet("keyset", flag.ContinueOnError)
	fs.String("set", "", "")
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--set", "s.jwks", "-ZDYPSS7z"}, []string{"--set", "s.jwks", "--", "-ZDYPSS7z"}},
		{[]string{"--set=s.jwks", "abc", "-x"}, []string{"--set=s.jwks", "abc", "--", "-x"}},
		{[]string{"--set", "s.jwks", "--", "-k"}, []string{"--set", "s.jwks", "--", "-k"}},
		{[]string{"-h"}, []string{"-h"}},
	} {
		if got := kidsAsArguments(fs, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("kidsAsArguments(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
