package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// echoHeaders answers with the request headers the handler saw, and sets
// response headers of its own.
func echoHeaders(runs *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		w.Header().Set("X-Account", "alice")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Header)
	})
}

func seenHeaders(t *testing.T, resp *http.Response) http.Header {
	t.Helper()
	var h http.Header
	if err := json.Unmarshal([]byte(readAll(t, resp)), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSealedRequestHeadersReachTheHandlerOnly(t *testing.T) {
	var c captured
	var runs atomic.Int32
	h := newHarness(t, echoHeaders(&runs), harnessConfig{wrapBase: capturing(&c, true)})
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/orders", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Role", "reader")
	req.Header.Set("Cookie", "session=secret-cookie")
	req.Header["Accept"] = []string{"text/plain", "application/json"}
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	seen := seenHeaders(t, resp)
	if seen.Get("X-Role") != "reader" || seen.Get("Cookie") != "session=secret-cookie" ||
		!slices.Equal(seen["Accept"], []string{"text/plain", "application/json"}) || seen.Get("Content-Type") != "application/json" {
		t.Fatalf("handler saw %v", seen)
	}
	if seen.Get("Authorization") != "" || seen.Get("User-Agent") != "" {
		t.Fatalf("handler saw transport or unsealed headers: %v", seen)
	}
	for _, name := range []string{"X-Role", "Cookie", "Accept"} {
		if c.header.Get(name) != "" {
			t.Fatalf("%s went on the wire in the clear", name)
		}
	}
	if bytes.Contains(c.body, []byte("secret-cookie")) {
		t.Fatal("cookie in the clear on the wire")
	}
}

// A proxy on the path adds headers a handler would trust inside an
// authenticated request. The handler sees none of them.
func TestAttackInjectedRequestHeaders(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, echoHeaders(&runs), harnessConfig{serverOpts: []ServerOption{WithPassThroughHeaders("Traceparent")}})
	m := newMITM(t, h.srv.URL)
	injected := map[string]string{"X-Role": "admin", "Idempotency-Key": "k-1", "Cookie": "session=mallory",
		"X-Forwarded-For": "10.0.0.1", "Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		for k, v := range injected {
			r.Header.Set(k, v)
		}
		return false
	})
	resp, err := get(t, h.client, m.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	seen := seenHeaders(t, resp)
	for name := range injected {
		if got := seen.Get(name); got != "" && name != "Traceparent" {
			t.Fatalf("the handler saw the injected %s: %q", name, got)
		}
	}
	if seen.Get("Traceparent") != injected["Traceparent"] {
		t.Fatalf("a pass-through header was dropped: %v", seen)
	}
}

// A proxy sends an unsealed copy of a sealed header with another value,
// hoping that some reader takes it: the request is refused.
func TestAttackUnsealedCopyOfSealedHeaderRefused(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, echoHeaders(&runs), harnessConfig{serverOpts: []ServerOption{WithPassThroughHeaders("X-Role")}})
	m := newMITM(t, h.srv.URL)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		r.Header.Set("X-Role", "admin")
		return false
	})
	req, _ := http.NewRequest(http.MethodGet, m.srv.URL+"/", nil)
	req.Header.Set("X-Role", "reader")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	problemOf(t, resp, http.StatusBadRequest)
	if runs.Load() != 0 {
		t.Fatal("the handler ran")
	}
}

func TestUnsealedRequestHeadersOption(t *testing.T) {
	var c captured
	var runs atomic.Int32
	for _, pass := range []bool{false, true} {
		cfg := harnessConfig{wrapBase: capturing(&c, true), clientOpts: []ClientOption{WithUnsealedRequestHeaders("traceparent")}}
		if pass {
			cfg.serverOpts = []ServerOption{WithPassThroughHeaders("traceparent")}
		}
		h := newHarness(t, echoHeaders(&runs), cfg)
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
		req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		seen := seenHeaders(t, resp)
		if c.header.Get("Traceparent") == "" || (seen.Get("Traceparent") != "") != pass {
			t.Fatalf("pass-through %v: on the wire %q, handler saw %q", pass, c.header.Get("Traceparent"), seen.Get("Traceparent"))
		}
	}
}

// A proxy overrides a response header and adds another: the client sees
// the sealed headers only.
func TestAttackOverriddenResponseHeader(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, echoHeaders(&runs), harnessConfig{})
	m := newMITM(t, h.srv.URL)
	var wireAccount string
	m.forwarder.ModifyResponse = func(r *http.Response) error {
		wireAccount = r.Header.Get("X-Account")
		r.Header.Set("X-Account", "mallory")
		r.Header.Set("Set-Cookie", "session=mallory")
		return nil
	}
	resp, err := get(t, h.client, m.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if wireAccount != "" {
		t.Fatalf("a sealed response header went on the wire in the clear: %q", wireAccount)
	}
	if got := resp.Header.Get("X-Account"); got != "alice" || resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("client saw %v", resp.Header)
	}
}

func TestBodylessResponseHeadersSealed(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/orders/7")
		w.Header().Set("X-Big", strings.Repeat("b", 20<<10)) // more than one record
		w.WriteHeader(http.StatusNoContent)
	}), harnessConfig{})
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, _ := http.NewRequest(method, h.srv.URL+"/", nil)
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Location") != "/orders/7" || len(resp.Header.Get("X-Big")) != 20<<10 {
			t.Fatalf("%s: %d %v", method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func TestLargeSealedResponseHeaders(t *testing.T) {
	big := strings.Repeat("v", 40<<10)
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", big)
		_, _ = io.WriteString(w, "body")
	}), harnessConfig{})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "body" || resp.Header.Get("X-Big") != big {
		t.Fatalf("body %q, header of %d bytes", body, len(resp.Header.Get("X-Big")))
	}
}

func TestFieldSectionRoundTripAndRefusals(t *testing.T) {
	h := http.Header{"X-B": {"2", "3"}, "X-A": {"1"}, "Connection": {"close"}, "Sealed-X": {"x"}}
	fs := appendFieldSection(nil, h, sealableField)
	want := append([]byte{18}, "\x03x-a\x011\x03x-b\x012\x03x-b\x013"...)
	if !bytes.Equal(fs, want) {
		t.Fatalf("encoded %q, want %q", fs, want)
	}
	got, rest, err := parseFieldSection(append(fs, "tail"...), sealableField)
	if err != nil || string(rest) != "tail" || !slices.Equal(got["X-B"], []string{"2", "3"}) || got.Get("X-A") != "1" {
		t.Fatalf("parsed %v rest %q: %v", got, rest, err)
	}
	// The same, with every integer in a longer form than needed.
	long := append([]byte{0x40, 0}, "\x40\x03x-a\x80\x00\x00\x011\x03x-b\x012\x03x-b\x013"...)
	long[1] = byte(len(long) - 2)
	if got, _, err := parseFieldSection(long, sealableField); err != nil || got.Get("X-A") != "1" {
		t.Fatalf("long integers: %v %v", got, err)
	}
	for name, bad := range map[string][]byte{
		"empty":             {},
		"length past end":   {5, 1, 'a'},
		"line past section": {3, 5, 'a', 'b'},
		"uppercase name":    append([]byte{5}, "\x03X-a\x00"...),
		"empty name":        {2, 0, 0},
		"hop-by-hop":        append([]byte{13}, "\x0aconnection\x01x"...),
		"framing":           append([]byte{17}, "\x0econtent-length\x01\x31"...),
		"newline in value":  append([]byte{7}, "\x03x-a\x03a\nb"...),
		"space around":      append([]byte{6}, "\x03x-a\x02a "...),
		"transport's own":   append([]byte{11}, "\x08sealed-x\x01x"...),
		"huge length":       {0xc0, 0xff, 0, 0, 0, 0, 0, 0},
	} {
		if _, _, err := parseFieldSection(bad, sealableField); !errors.Is(err, sealjwt.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	if _, _, err := parseFieldSection(append([]byte{17}, "\x0ccontent-type\x04text"...), sealableRequestField); !errors.Is(err, sealjwt.ErrMalformed) {
		t.Errorf("content-type sealed twice in a request: %v", err)
	}
}

func FuzzFieldSection(f *testing.F) {
	f.Add(appendFieldSection(nil, http.Header{"X-A": {"1"}, "Cookie": {"a=b", "c=d"}}, sealableField))
	f.Add([]byte{0x40, 3, 1, 'a', 0})
	f.Add([]byte{0xc0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, rest, err := parseFieldSection(data, sealableField)
		if err != nil {
			if !errors.Is(err, sealjwt.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		again, rest2, err := parseFieldSection(append(appendFieldSection(nil, h, sealableField), rest...), sealableField)
		if err != nil || !bytes.Equal(rest, rest2) || len(again) != len(h) {
			t.Fatalf("accepted %v, which did not round-trip: %v %v", h, again, err)
		}
		for k, vs := range h {
			if !slices.Equal(again[k], vs) {
				t.Fatalf("%s: %v, then %v", k, vs, again[k])
			}
		}
		rh, err := readFieldSection(bytes.NewReader(data), sealableField)
		if err != nil || len(rh) != len(h) {
			t.Fatalf("readFieldSection disagrees with parseFieldSection: %v %v", rh, err)
		}
	})
}

// The examples of docs/PROTOCOL.md section 4.5, byte for byte.
func TestFieldSectionExamplesOfProtocol(t *testing.T) {
	req := appendFieldSection(nil, http.Header{"Accept": {"application/json"}, "X-Request-Id": {"42"}}, sealableRequestField)
	if got := fmt.Sprintf("% x", req); got != "28 06 61 63 63 65 70 74 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e "+
		"0c 78 2d 72 65 71 75 65 73 74 2d 69 64 02 34 32" {
		t.Fatalf("request section % x", req)
	}
	if got := sealjwt.Binary(req); !bytes.Contains(mustJSON(t, got), []byte("KAZhY2NlcHQQYXBwbGljYXRpb24vanNvbgx4LXJlcXVlc3QtaWQCNDI")) {
		t.Fatalf("hfs %s", mustJSON(t, got))
	}
	resp := appendFieldSection(nil, http.Header{"Content-Type": {"application/json"}, "Location": {"/orders/7"}}, sealableField)
	if got := fmt.Sprintf("% x", resp); got != "31 0c 63 6f 6e 74 65 6e 74 2d 74 79 70 65 10 61 70 70 6c 69 63 61 74 69 6f 6e 2f 6a 73 6f 6e "+
		"08 6c 6f 63 61 74 69 6f 6e 09 2f 6f 72 64 65 72 73 2f 37" {
		t.Fatalf("response section % x", resp)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRequestWithoutHeaderMap(t *testing.T) {
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
	req.Header = nil
	resp, err := h.client.Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// Request headers travel sealed in the envelope, so they share its one
// cap: a request whose headers cannot fit is refused by the sender with
// ErrTooLarge, before anything is sent, rather than by the receiver.
func TestSealedRequestHeadersOverTheEnvelopeCap(t *testing.T) {
	var wire captured
	h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&wire, true)})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("v", seal.MaxEnvelopeSize))
	if _, err := h.client.Do(req); !errors.Is(err, sealjwt.ErrTooLarge) {
		t.Fatalf("headers over the envelope cap: %v, want ErrTooLarge", err)
	}
	if wire.method != "" {
		t.Fatal("the request went out")
	}
	req.Header.Set("X-Big", strings.Repeat("v", 16<<10))
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 || len(wire.header.Get("Authorization")) <= 16<<10 {
		t.Fatalf("status %d, envelope of %d bytes", resp.StatusCode, len(wire.header.Get("Authorization")))
	}
}
