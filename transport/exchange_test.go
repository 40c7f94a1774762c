package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// whoami answers with what the handler saw: method, plaintext content type,
// body and the verified issuer.
func whoami(w http.ResponseWriter, r *http.Request) {
	m, ok := MessageFromContext(r.Context())
	if !ok {
		http.Error(w, "no message", http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"method": r.Method, "ct": r.Header.Get("Content-Type"), "body": string(body),
		"iss": m.Issuer, "auth": r.Header.Get("Authorization"), "trace": r.Header.Get("X-Trace-Id"),
	})
}

func decodeWhoami(t *testing.T, resp *http.Response) map[string]string {
	t.Helper()
	var got map[string]string
	if err := json.Unmarshal([]byte(readAll(t, resp)), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestGetWithoutBody(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	resp, err := get(t, h.client, h.srv.URL+"/orders?id=7")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	got := decodeWhoami(t, resp)
	if got["method"] != "GET" || got["body"] != "" || got["iss"] != senderID || got["auth"] != "" {
		t.Fatalf("handler saw %v", got)
	}
}

func TestPostJSON(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	resp, err := h.client.Post(h.srv.URL+"/orders", "application/json", strings.NewReader(`{"item":"tea"}`))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeWhoami(t, resp)
	if got["method"] != "POST" || got["ct"] != "application/json" || got["body"] != `{"item":"tea"}` {
		t.Fatalf("handler saw %v", got)
	}
}

func TestWireCarriesNoPlaintext(t *testing.T) {
	var c captured
	secret := "the-plaintext-must-not-appear"
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&c, true)})
	resp, err := h.client.Post(h.srv.URL+"/orders", "text/plain", strings.NewReader(secret))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if bytes.Contains(c.body, []byte(secret)) || c.header.Get("Content-Type") != recordsContentType {
		t.Fatalf("request on the wire: Content-Type %q, plaintext visible %v", c.header.Get("Content-Type"), bytes.Contains(c.body, []byte(secret)))
	}
	if !strings.HasPrefix(c.header.Get("Authorization"), "Sealed ") {
		t.Fatalf("Authorization = %q", c.header.Get("Authorization"))
	}
}

func TestFlushStreamsResponse(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		<-release // the client must see "first" before the handler goes on
		_, _ = io.WriteString(w, "second")
	}), harnessConfig{})
	resp, err := get(t, h.client, h.srv.URL+"/stream")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("first part = %q, %v", buf, err)
	}
	close(release)
	if rest := readAll(t, resp); rest != "second" {
		t.Fatalf("rest = %q", rest)
	}
}

func TestBodylessResponsesAuthenticated(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}), harnessConfig{})
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, h.srv.URL+"/x", nil)
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if resp.StatusCode != http.StatusNoContent || readAll(t, resp) != "" {
			t.Fatalf("%s: status %d", method, resp.StatusCode)
		}
	}
	// The same 204 with its status changed in transit fails.
	tampered := newHarness(t, h.srv.Config.Handler, harnessConfig{wrapBase: rewriteResponse(func(r *http.Response) { r.StatusCode = http.StatusResetContent })})
	if _, err := get(t, tampered.client, h.srv.URL+"/x"); !errors.Is(err, ErrResponse) {
		t.Fatalf("tampered 204: err = %v, want ErrResponse", err)
	}
}

// rewriteResponse tampers with responses on their way to the client.
func rewriteResponse(f func(*http.Response)) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := base.RoundTrip(r)
			if err == nil {
				f(resp)
			}
			return resp, err
		})
	}
}

func TestAttackTamperedResponse(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, strings.Repeat("account balance 100\n", 2000))
	})
	flipLastByte := func(r *http.Response) {
		body, _ := io.ReadAll(r.Body)
		body[len(body)-1] ^= 1
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	tests := []struct {
		name   string
		tamper func(*http.Response)
		want   error
	}{
		{"status code changed", func(r *http.Response) { r.StatusCode = http.StatusCreated }, ErrResponse},
		{"wire content type changed", func(r *http.Response) { r.Header.Set("Content-Type", "text/html") }, ErrResponse},
		{"response nonce changed", func(r *http.Response) { r.Header.Set(headerResponseNonce, strings.Repeat("A", 43)) }, ErrResponse},
		{"2xx without sealed body", func(r *http.Response) { r.Header.Del(headerResponseNonce) }, ErrUnsealedResponse},
		{"body byte flipped", flipLastByte, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, ok, harnessConfig{wrapBase: rewriteResponse(tt.tamper)})
			resp, err := get(t, h.client, h.srv.URL+"/balance")
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if _, err := io.ReadAll(resp.Body); err == nil {
				t.Fatal("tampered body read without error")
			}
		})
	}
}

func TestAttackReplayedRequestConflict(t *testing.T) {
	var c captured
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&c, true)})
	resp, err := h.client.Post(h.srv.URL+"/pay", "application/json", strings.NewReader(`{"amount":5}`))
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	problemOf(t, c.replay(t, c.method, c.url), http.StatusConflict)
}

func TestAttackCapturedTokenOtherPathOrMethod(t *testing.T) {
	for _, tt := range []struct{ name, method, path string }{
		{"other path", http.MethodPost, "/admin"},
		{"other method", http.MethodDelete, "/pay"},
		{"other query", http.MethodPost, "/pay?amount=5000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c captured
			h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&c, false)})
			resp, err := h.client.Post(h.srv.URL+"/pay", "application/json", strings.NewReader(`{}`))
			if err == nil {
				resp.Body.Close() // never delivered: the attacker holds it
			}
			problemOf(t, c.replay(t, tt.method, h.srv.URL+tt.path), http.StatusForbidden)
			// The refusal did not use up the id: the genuine request still works.
			if resp := c.replay(t, c.method, c.url); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("genuine request after the refusal: status %d, want 202", resp.StatusCode)
			}
		})
	}
}

func TestAttackWrongAudienceForbidden(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{audience: "some-other-service"})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusForbidden)
}

func TestAttackExpiredUnauthorized(t *testing.T) {
	past := func() time.Time { return time.Now().Add(-time.Hour) }
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{sealerOpts: []token.SignerOption{token.WithClock(past)}})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, resp, http.StatusUnauthorized)
}

func TestMissingOrForeignAuthorizationUnauthorized(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	for name, auth := range map[string]string{"missing": "", "bearer": "Bearer abc", "sealed garbage": "Sealed a.b.c.d.e", "no scheme": "Sealed"} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", resp.StatusCode)
			}
			problemOf(t, resp, resp.StatusCode)
		})
	}
}

func TestOversizedEnvelopeTooLarge(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
	req.Header.Set("Authorization", "Sealed "+strings.Repeat("A", seal.MaxEnvelopeSize+1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problemOf(t, resp, http.StatusRequestEntityTooLarge)
}

// A sender whose signing key nobody registered gets 401, not 422: no
// refetch of the receiver's keys could help it.
func TestUntrustedSenderUnauthorized(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	stranger, _ := token.GenerateKey(token.EdDSA)
	strangerKeys, _ := token.NewKeySet(stranger)
	sealer, _ := newSealer(strangerKeys, senderID)
	client := &http.Client{Transport: NewTransport(nil, sealer, receiverID, StaticKeys(h.keys.seal.Public()))}
	resp, err := get(t, client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problemOf(t, resp, http.StatusUnauthorized)
}

// A bare envelope cannot announce a body stream: it has no key exchange
// for one beyond the envelope itself.
func TestBareEnvelopeWithBodyFlagRefused(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	sealer, _ := newSealer(h.keys.sign, senderID)
	url := h.srv.URL + "/orders"
	env, _, err := sealer.SealContext(context.Background(), h.keys.seal.Primary().Public(), receiverID,
		requestClaims{Method: http.MethodPost, URI: url, Body: true})
	if err != nil {
		t.Fatal(err)
	}
	resp := postBare(t, url, env)
	problemOf(t, resp, http.StatusBadRequest)
}
