package cmd_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// TestReceiverMetricsCountScriptedMix runs the receiver with
// --metrics-addr, sends it a scripted mix (20 accepted, 5 replays, 5
// tampered, 5 expired, 5 for another audience) and checks every count
// that /metrics reports, exactly.
func TestReceiverMetricsCountScriptedMix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "HPKE-3", "--out", "receiver")
	mustRun(t, dir, "", "sealjwt", "keygen", "--alg", "EdDSA", "--out", "sender")
	addr, maddr := freeAddr(t), freeAddr(t)
	base := "http://" + addr
	startReceiver(t, dir, nil, base+transport.DefaultJWKSPath, "--addr", addr, "--id", "billing",
		"--key", "receiver.jwk", "--trust", "orders=sender.pub.jwk", "--metrics-addr", maddr)

	mix := newMix(t, dir, base)
	const body = "forty-two bytes of an order, nothing more."
	var replays []capturedRequest
	for i := range 20 {
		req := mix.send(t, "billing", 0, nil, body)
		if req.status != http.StatusOK {
			t.Fatalf("accepted request %d: status %d", i, req.status)
		}
		if i < 5 {
			replays = append(replays, req)
		}
	}
	for _, r := range replays {
		mix.expect(t, "replay", r.resend(t), http.StatusConflict)
	}
	for range 5 {
		mix.expect(t, "tampered", mix.send(t, "billing", 0, flipCiphertext, body).status, http.StatusUnauthorized)
		mix.expect(t, "expired", mix.send(t, "billing", -2*time.Hour, nil, body).status, http.StatusUnauthorized)
		mix.expect(t, "another audience", mix.send(t, "shipping", 0, nil, body).status, http.StatusForbidden)
	}

	want := map[string]float64{
		`sealjwt_events_total{kind="request",outcome="accepted",reason=""}`:          20,
		`sealjwt_events_total{kind="request",outcome="refused",reason="replay"}`:     5,
		`sealjwt_events_total{kind="request",outcome="refused",reason="decryption"}`: 5,
		`sealjwt_events_total{kind="request",outcome="refused",reason="expired"}`:    5,
		`sealjwt_events_total{kind="request",outcome="refused",reason="audience"}`:   5,
		`sealjwt_open_duration_seconds_count{outcome="accepted"}`:                    20,
		`sealjwt_open_duration_seconds_count{outcome="refused"}`:                     20,
		`sealjwt_request_body_bytes_count`:                                           20,
		`sealjwt_request_body_bytes_sum`:                                             20 * float64(len(body)),
		`sealjwt_replay_store_errors_total{reason="store_unavailable"}`:              0,
		`sealjwt_replay_store_errors_total{reason="store_full"}`:                     0,
	}
	got := scrapeUntil(t, "http://"+maddr+"/metrics", `sealjwt_open_duration_seconds_count{outcome="refused"}`, 20)
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
	for series, v := range got {
		if _, ok := want[series]; !ok && strings.HasPrefix(series, "sealjwt_events_total") {
			t.Errorf("unexpected series %s = %v", series, v)
		}
	}
}

// mix sends sealed requests to the receiver as the trusted sender.
type mix struct {
	base string
	keys transport.KeySource
	sign string // the sender's signing key file
}

func newMix(t *testing.T, dir, base string) *mix {
	t.Helper()
	pub, err := cli.SealPublicKeys(filepath.Join(dir, "receiver.pub.jwk"))
	if err != nil {
		t.Fatal(err)
	}
	return &mix{base: base, keys: transport.StaticKeys(pub), sign: filepath.Join(dir, "sender.jwk")}
}

// capturedRequest is a request as it went on the wire, and its status.
type capturedRequest struct {
	status int
	url    string
	header http.Header
	body   []byte
}

// resend sends the captured request again, unchanged, as an attacker who
// recorded it would, and returns the status.
func (c capturedRequest) resend(t *testing.T) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = c.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	drainClose(resp)
	return resp.StatusCode
}

// send POSTs body to /messages as "orders" for audience, signed skew
// away from now, with tamper (if not nil) applied to the request on the
// wire.
func (m *mix) send(t *testing.T, audience string, skew time.Duration, tamper func(*http.Request), body string) capturedRequest {
	t.Helper()
	keys, err := cli.SigningKeys(m.sign)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := app.NewSealer(keys, "orders", token.WithClock(func() time.Time { return time.Now().Add(skew) }))
	if err != nil {
		t.Fatal(err)
	}
	var c capturedRequest
	var once sync.Once
	wire := roundTripper(func(r *http.Request) (*http.Response, error) {
		if tamper != nil {
			tamper(r)
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		once.Do(func() { c = capturedRequest{url: r.URL.String(), header: r.Header.Clone(), body: b} })
		r.Body = io.NopCloser(bytes.NewReader(b))
		return http.DefaultTransport.RoundTrip(r)
	})
	client := &http.Client{Transport: transport.NewTransport(wire, sealer, audience, m.keys)}
	resp, err := client.Post(m.base+"/messages", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	drainClose(resp)
	c.status = resp.StatusCode
	return c
}

func (m *mix) expect(t *testing.T, what string, status, want int) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: status %d, want %d", what, status, want)
	}
}

// flipCiphertext changes one character in the middle of the envelope's
// ciphertext, as a man in the middle would.
func flipCiphertext(r *http.Request) {
	env := strings.TrimPrefix(r.Header.Get("Authorization"), "Sealed ")
	parts := strings.Split(env, ".")
	ct := []byte(parts[3])
	i := len(ct) / 2
	ct[i] = map[bool]byte{true: 'B', false: 'A'}[ct[i] == 'A']
	parts[3] = string(ct)
	r.Header.Set("Authorization", "Sealed "+strings.Join(parts, "."))
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func drainClose(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// scrapeUntil scrapes url until series reaches at least n (events are
// counted as each request ends), then returns every sample by series.
func scrapeUntil(t *testing.T, url, series string, n float64) map[string]float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		got := scrape(t, url)
		if got[series] >= n || ctx.Err() != nil {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scrape reads the Prometheus text format into series -> value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	got := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatal(fmt.Errorf("metrics line %q: %w", line, err))
		}
		got[line[:i]] = v
	}
	return got
}

// TestSignedOnlyReceiverMetrics: the signed-only receiver reports its
// requests too, as access checks.
func TestSignedOnlyReceiverMetrics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := []string{"SEALJWT_SECRET=a shared secret of at least 32 bytes!!"}
	addr, maddr := freeAddr(t), freeAddr(t)
	url := "http://" + addr + "/"
	startReceiver(t, dir, secret, url, "--signed-only", "--addr", addr, "--metrics-addr", maddr)
	r := run(t, dir, "", secret, "sealjwt", "sign", "--iss", "sender", "--aud", "receiver")
	if r.code != 0 {
		t.Fatalf("sign: %s", r.stderr)
	}
	good := strings.TrimSpace(r.stdout)
	for range 3 {
		if code, _ := get(t, url, good); code != http.StatusOK {
			t.Fatalf("good token: %d", code)
		}
	}
	if code, _ := get(t, url, tamper(good)); code != http.StatusUnauthorized {
		t.Fatalf("tampered token: %d", code)
	}
	// The probe of startReceiver made one request without a token.
	got := scrapeUntil(t, "http://"+maddr+"/metrics", `sealjwt_events_total{kind="access",outcome="accepted",reason=""}`, 3)
	want := map[string]float64{
		`sealjwt_events_total{kind="access",outcome="accepted",reason=""}`:         3,
		`sealjwt_events_total{kind="access",outcome="refused",reason="signature"}`: 1,
	}
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v\n%v", series, got[series], v, got)
		}
	}
}
