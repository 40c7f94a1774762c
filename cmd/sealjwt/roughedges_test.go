package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/internal/replaytest/redisfixture"
	"github.com/sealjwt/sealjwt/internal/testredis"
	"github.com/sealjwt/sealjwt/replay/redisstore"
)

// keysIn makes a receiver key (r), a sender key (s) and an HS256 secret
// (h) in a fresh directory.
func keysIn(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for alg, name := range map[string]string{"HPKE-3": "r", "EdDSA": "s", "HS256": "h"} {
		if code, _, errs := runIn(t, dir, "", "keygen", "--alg", alg, "--out", name); code != 0 {
			t.Fatalf("keygen %s: %s", alg, errs)
		}
	}
	return dir
}

// TestLifetimeLimitsAgree: what seal makes by default, open accepts; a
// longer --exp is a usage error unless --max-lifetime allows it, and then
// open needs the same --max-lifetime.
func TestLifetimeLimitsAgree(t *testing.T) {
	dir := keysIn(t)
	seal := []string{"seal", "--to", "r.pub.jwk", "--key", "s.jwk", "--iss", "a", "--aud", "b"}
	open := []string{"open", "--key", "r.jwk", "--trust", "a=s.pub.jwk", "--aud", "b"}
	code, _, errs := runIn(t, dir, "{}", append(seal, "--exp", "2h")...)
	if code != cli.ExitUsage || !strings.Contains(errs, "--exp 2h0m0s is over --max-lifetime 1h0m0s") {
		t.Fatalf("--exp 2h: exit %d, %q", code, errs)
	}
	code, env, errs := runIn(t, dir, "{}", append(seal, "--exp", "2h", "--max-lifetime", "3h")...)
	if code != 0 {
		t.Fatalf("--exp 2h --max-lifetime 3h: %s", errs)
	}
	if code, _, errs := runIn(t, dir, env, open...); code != cli.ExitRejected || !strings.Contains(errs, "lifetime") {
		t.Fatalf("open without --max-lifetime: exit %d, %q", code, errs)
	}
	if code, _, errs := runIn(t, dir, env, append(open, "--max-lifetime", "3h")...); code != 0 {
		t.Fatalf("open --max-lifetime 3h: %s", errs)
	}
}

// TestBadFlagValuesExitTwo: a flag value out of range is a usage error,
// saying what was expected and what was given.
func TestBadFlagValuesExitTwo(t *testing.T) {
	dir := keysIn(t)
	for args, says := range map[string]string{
		"seal --to r.pub.jwk --key s.jwk --iss a --aud b --exp -1m":       "--exp must be a whole number of seconds, at least 1s, got -1m0s",
		"seal --to r.pub.jwk --key s.jwk --iss a --aud b --exp 1500ms":    "got 1.5s",
		"sign --key s.jwk --iss a --aud b --exp 0s":                       "at least 1s, got 0s",
		"open --key r.jwk --trust a=s.pub.jwk --aud b --leeway -1s":       "--leeway must be 0s to 5m0s, got -1s",
		"verify --trust a=s.pub.jwk --aud b --max-lifetime 0s":            "--max-lifetime must be 1s to 24h0m0s, got 0s",
		"open --key r.jwk --trust a=s.pub.jwk --aud b --max-lifetime 48h": "got 48h0m0s",
	} {
		code, _, errs := runIn(t, dir, "x.y.z", strings.Fields(args)...)
		if code != cli.ExitUsage || !strings.Contains(errs, says) {
			t.Errorf("%s: exit %d, %q; want 2 saying %q", args, code, errs, says)
		}
	}
}

// TestKeyFileErrorsSayExpectedAndFound: a key of the wrong kind is named as
// such, with what the flag expects.
func TestKeyFileErrorsSayExpectedAndFound(t *testing.T) {
	dir := keysIn(t)
	data, _ := os.ReadFile(filepath.Join(dir, "r.pub.jwk"))
	var jwk map[string]any
	if err := json.Unmarshal(data, &jwk); err != nil || jwk["alg"] == nil {
		t.Fatalf("r.pub.jwk: %v %s", err, data)
	}
	delete(jwk, "alg")
	noAlg, _ := json.Marshal(jwk)
	_ = os.WriteFile(filepath.Join(dir, "noalg.pub.jwk"), noAlg, 0o644)
	for args, says := range map[string]string{
		"pub h.jwk":       "h.jwk is an HS256 shared secret, which has no public key; expected a private key of an asymmetric alg",
		"pub r.jwk s.jwk": "keys of two kinds: r.jwk holds a sealing key (HPKE-*), s.jwk holds a signing key",
		"open --key s.jwk --trust a=s.pub.jwk --aud b x.y.z":     `s.jwk holds a signing key (alg "EdDSA"); expected the receiver's private sealing key`,
		"open --key r.pub.jwk --trust a=s.pub.jwk --aud b x.y.z": `r.pub.jwk holds a public key (no "d" or "priv" member); expected the receiver's private sealing key`,
		"open --key r.jwk --trust a=r.pub.jwk --aud b x.y.z":     "r.pub.jwk holds a sealing key (alg HPKE-3); expected the sender's public signing key",
		"seal --to r.pub.jwk --key s.pub.jwk --iss a --aud b {}": "s.pub.jwk holds a public key",
		"seal --to r.jwk --key s.jwk --iss a --aud b {}":         "r.jwk holds a private key; expected the receiver's public sealing key",
		"seal --to noalg.pub.jwk --key s.jwk --iss a --aud b {}": `noalg.pub.jwk holds a key without "alg" (sealing keys must name their HPKE-* alg)`,
	} {
		code, _, errs := runIn(t, dir, "", strings.Fields(args)...)
		if code == 0 || !strings.Contains(errs, says) || strings.Contains(errs, "json:") {
			t.Errorf("%s: exit %d, %q; want it to say %q", args, code, errs, says)
		}
	}
}

// TestReadablePrivateKeyWarns warns, as ssh does, about a private key file
// that its group or others can read, and not about one only its owner can.
func TestReadablePrivateKeyWarns(t *testing.T) {
	dir := keysIn(t)
	var warned bytes.Buffer
	cli.Warnings = &warned
	t.Cleanup(func() { cli.Warnings = os.Stderr })
	pub := []string{"pub", "s.jwk"}
	if code, _, _ := runIn(t, dir, "", pub...); code != 0 || warned.Len() != 0 {
		t.Fatalf("0600 key: exit %d, warning %q", code, warned.String())
	}
	if err := os.Chmod(filepath.Join(dir, "s.jwk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runIn(t, dir, "", pub...); code != 0 || !strings.Contains(warned.String(), "s.jwk is readable by group or others (mode 0644); run: chmod 600 s.jwk") {
		t.Fatalf("0644 key: exit %d, warning %q", code, warned.String())
	}
}

// TestOpenRemembersAcrossRunsOnlyWithRedis: without --redis each run of
// open starts with no replay memory (as its help says); with --redis, given
// as host:port, the second run refuses the replay. The store's epoch is
// made before the envelope, and --leeway 0s, so that a fresh Redis does not
// refuse it as issued before the store's data began.
func TestOpenRemembersAcrossRunsOnlyWithRedis(t *testing.T) {
	dir := keysIn(t)
	redisfixture.Store(t, testredis.Client(t), redisstore.DefaultPrefix) // skips without a server, fails in CI
	_, env, _ := runIn(t, dir, "{}", "seal", "--to", "r.pub.jwk", "--key", "s.jwk", "--iss", "a", "--aud", "b")
	open := []string{"open", "--key", "r.jwk", "--trust", "a=s.pub.jwk", "--aud", "b"}
	_, help, _ := runIn(t, dir, "", "open", "--help")
	if !strings.Contains(help, "open remembers nothing between runs") {
		t.Fatalf("open --help does not say it keeps no replay memory:\n%s", help)
	}
	for range 2 {
		if code, _, errs := runIn(t, dir, env, open...); code != 0 {
			t.Fatalf("open without --redis: %s", errs)
		}
	}
	withRedis := append(open, "--redis", testredis.Addr(), "--leeway", "0s")
	if code, _, errs := runIn(t, dir, env, withRedis...); code != 0 {
		t.Fatalf("first open --redis: %s", errs)
	}
	if code, _, errs := runIn(t, dir, env, withRedis...); code != cli.ExitRejected || !strings.Contains(errs, "replayed") {
		t.Fatalf("second open --redis: exit %d, %q", code, errs)
	}
	code, _, errs := runIn(t, dir, env, append(open, "--redis", "redis://127.0.0.1:1/0")...)
	if code != cli.ExitRejected || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "redis at 127.0.0.1:1") {
		t.Fatalf("unreachable redis: exit %d, want one line naming it: %q", code, errs)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runIn(t, t.TempDir(), "", args...)
		if code != 0 || !strings.HasPrefix(out, "sealjwt ") || !strings.Contains(out, runtime.Version()) {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
