package cmd_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestReceiverAndSender runs the demo pair as separate processes: the
// sender discovers the receiver's keys from its JWKS, sends sealed
// messages, and is refused when it names the wrong receiver or is not
// trusted.
func TestReceiverAndSender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "HPKE-3", "--out", "receiver")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "ES256", "--out", "sender")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "stranger")
	addr := freeAddr(t)
	url := "http://" + addr
	startReceiver(t, dir, nil, url+"/.well-known/jwks.json",
		"--addr", addr, "--id", "billing", "--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk")

	send := []string{"--url", url, "--iss", "orders", "--aud", "billing"}
	out := mustRun(t, dir, "", "sender", append(send, "--key", "sender.jwk", `{"order":17}`)...)
	if !strings.Contains(out, `"status":"received"`) || !strings.Contains(out, `"bytes":12`) {
		t.Fatalf("sender output: %s", out)
	}
	out = mustRun(t, dir, "a message from stdin", "sender", append(send, "--key", "sender.jwk")...)
	if !strings.Contains(out, `"bytes":20`) {
		t.Fatalf("sender output for stdin: %s", out)
	}
	t.Run("load", func(t *testing.T) {
		out := mustRun(t, dir, "", "sender", append(send, "--key", "sender.jwk", "--count", "40", "--concurrency", "4", "ping")...)
		if !strings.Contains(out, "requests:    40 ") || !strings.Contains(out, "errors:      0") {
			t.Fatalf("load summary:\n%s", out)
		}
	})
	refusals := map[string]struct {
		args   []string
		status string
	}{
		"wrong audience": {[]string{"--url", url, "--iss", "orders", "--aud", "shipping", "--key", "sender.jwk", "hi"}, "403"},
		"untrusted key":  {[]string{"--url", url, "--iss", "orders", "--aud", "billing", "--key", "stranger.jwk", "hi"}, "401"},
	}
	for name, c := range refusals {
		t.Run(name, func(t *testing.T) {
			r := run(t, dir, "", nil, "sender", c.args...)
			if r.code != 1 || !strings.Contains(r.stderr, c.status) {
				t.Fatalf("exit %d, stderr %q; want 1 and %s", r.code, r.stderr, c.status)
			}
		})
	}
	t.Run("unsealed request", func(t *testing.T) {
		resp, err := http.Post(url+"/messages", "text/plain", strings.NewReader("hi"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	})
}

// TestSignedOnly is the shared-secret flow: 200 "Hello World" with a good
// Token header, as often as it is sent until it expires; 401 with a bad or
// missing one.
func TestSignedOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := []string{"SEALJWT_SECRET=a shared secret of at least 32 bytes!!"}
	addr := freeAddr(t)
	url := "http://" + addr + "/"
	startReceiver(t, dir, secret, url, "--signed-only", "--addr", addr)

	r := run(t, dir, "", secret, "sender", "--signed-only", "--url", "http://"+addr)
	if r.code != 0 || strings.TrimSpace(r.stdout) != "Hello World" {
		t.Fatalf("sender --signed-only: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	sign := func(env []string, aud string) string {
		r := run(t, dir, "", env, "sealjwt", "sign", "--iss", "sender", "--aud", aud)
		if r.code != 0 {
			t.Fatalf("sign: %s", r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	good := sign(secret, "receiver")
	if code, body := get(t, url, good); code != 200 || body != "Hello World\n" {
		t.Fatalf("good token: %d %q", code, body)
	}
	if code, _ := get(t, url, good); code != 200 {
		t.Fatalf("the same token refused on its second use: %d; a token is reusable until it expires", code)
	}
	otherSecret := []string{"SEALJWT_SECRET=not the receiver's secret, but long enough"}
	bad := map[string]string{
		"missing":          "",
		"garbage":          "not.a.token",
		"other secret":     sign(otherSecret, "receiver"),
		"other audience":   sign(secret, "shipping"),
		"tampered payload": tamper(sign(secret, "receiver")),
	}
	for name, tok := range bad {
		if code, _ := get(t, url, tok); code != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401", name, code)
		}
	}
}

func get(t *testing.T, url, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if tok != "" {
		req.Header.Set("Token", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	b.Write(buf[:n])
	return resp.StatusCode, b.String()
}

// tamper changes one character of the payload segment.
func tamper(tok string) string {
	i := strings.Index(tok, ".") + 3
	return tok[:i] + flip(tok[i]) + tok[i+1:]
}

// TestSignedOnlyTutorialToken: a token made exactly as the classic
// tutorial's client makes it (golang-jwt, HS256, typ JWT, claims
// authorized, client and exp) is refused by the strict receiver and
// accepted, twice, by receiver --signed-only --tutorial.
func TestSignedOnlyTutorialToken(t *testing.T) {
	t.Parallel()
	const secret = "a shared secret of at least 32 bytes!!"
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"authorized": true, "client": "Krissanawat", "exp": time.Now().Add(5 * time.Minute).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"SEALJWT_SECRET=" + secret}
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, http.StatusUnauthorized}, {[]string{"--tutorial"}, http.StatusOK}} {
		addr := freeAddr(t)
		url := "http://" + addr + "/"
		startReceiver(t, t.TempDir(), env, url, append([]string{"--signed-only", "--addr", addr}, tc.args...)...)
		for range 2 {
			if code, _ := get(t, url, tok); code != tc.want {
				t.Fatalf("receiver %v: tutorial token got %d, want %d", tc.args, code, tc.want)
			}
		}
	}
}

// TestTutorialProgramsWithTheTutorialsSecret runs the tutorial's pieces
// with its own 24-byte secret: the protected "Hello World" (receiver
// --signed-only --tutorial), a token minted as its client mints it, the
// sender as that client, and sealjwt verify --tutorial. Each accepts the
// secret with a warning citing RFC 7518 section 3.2; without --tutorial
// each refuses it.
func TestTutorialProgramsWithTheTutorialsSecret(t *testing.T) {
	t.Parallel()
	const secret = "captainjacksparrowsayshi"
	const rfc = "RFC 7518 section 3.2"
	dir := t.TempDir()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"authorized": true, "client": "Krissanawat", "exp": time.Now().Add(5 * time.Minute).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}

	addr := freeAddr(t)
	if r := run(t, dir, "", nil, "receiver", "--signed-only", "--addr", addr, "--secret", secret); r.code == 0 || !strings.Contains(r.stderr, rfc) {
		t.Errorf("strict receiver with the tutorial's secret: exit %d, stderr %q; want a refusal citing %s", r.code, r.stderr, rfc)
	}
	url := "http://" + addr + "/"
	logs := startReceiver(t, dir, nil, url, "--signed-only", "--tutorial", "--addr", addr, "--secret", secret)
	if !strings.Contains(logs.String(), "warning") || !strings.Contains(logs.String(), rfc) {
		t.Errorf("receiver --tutorial with a 24-byte secret did not warn citing %s: %q", rfc, logs.String())
	}
	if code, body := get(t, url, tok); code != http.StatusOK || !strings.Contains(body, "Hello World") {
		t.Errorf("the tutorial's token: %d %q, want 200 Hello World", code, body)
	}

	send := []string{"--signed-only", "--url", "http://" + addr, "--secret", secret}
	if r := run(t, dir, "", nil, "sender", send...); r.code == 0 || !strings.Contains(r.stderr, rfc) {
		t.Errorf("strict sender with the tutorial's secret: exit %d, stderr %q; want a refusal citing %s", r.code, r.stderr, rfc)
	}
	r := run(t, dir, "", nil, "sender", append(send, "--tutorial")...)
	if r.code != 0 || !strings.Contains(r.stdout, "Hello World") || !strings.Contains(r.stderr, rfc) {
		t.Errorf("sender --tutorial: exit %d, stdout %q, stderr %q; want Hello World and a warning citing %s", r.code, r.stdout, r.stderr, rfc)
	}

	verify := []string{"verify", "--secret", secret, "--iss", "tutorial", "--aud", "tutorial", tok}
	if r := run(t, dir, "", nil, "sealjwt", verify...); r.code == 0 {
		t.Errorf("strict verify of the tutorial's token with its secret: exit 0, want a refusal")
	}
	r = run(t, dir, "", nil, "sealjwt", append([]string{"verify", "--tutorial"}, verify[1:]...)...)
	if r.code != 0 || !strings.Contains(r.stdout, `"client": "Krissanawat"`) || !strings.Contains(r.stderr, rfc) {
		t.Errorf("verify --tutorial: exit %d, stdout %q, stderr %q; want the claims and a warning citing %s", r.code, r.stdout, r.stderr, rfc)
	}
}
