package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A client opens a bare-envelope request, declares 30 KB and trickles it
// a byte at a time: the middleware answers 408 once its envelope timeout
// has passed, rather than holding the connection.
func TestAttackSlowBareEnvelope(t *testing.T) {
	var runs atomic.Int32
	h := newHarness(t, counting(&runs), harnessConfig{serverOpts: []ServerOption{WithEnvelopeTimeout(200 * time.Millisecond)}})
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_, _ = io.WriteString(conn, "POST /pay HTTP/1.1\r\nHost: "+h.srv.Listener.Addr().String()+
		"\r\nContent-Type: application/jose\r\nContent-Length: 30000\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := conn.Write([]byte("e")); err != nil {
					return
				}
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow envelope: %v", err)
	}
	defer resp.Body.Close()
	problemOf(t, resp, http.StatusRequestTimeout)
	if took := time.Since(start); took > 2*time.Second || runs.Load() != 0 {
		t.Fatalf("answered after %v, handler ran %d times", took, runs.Load())
	}
}

// slowReader gives one byte per read, after a pause.
type slowReader struct {
	r     io.Reader
	pause time.Duration
}

func (s slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), 1)])
}

// An attacker on the path trickles an admitted request's sealed body: the
// handler's reads fail at the body deadline instead of holding the
// connection.
func TestAttackSlowRequestBody(t *testing.T) {
	readErr := make(chan error, 1)
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
	}), harnessConfig{serverOpts: []ServerOption{WithBodyTimeout(300 * time.Millisecond)}})
	m := newMITM(t, h.srv.URL)
	m.set(func(w http.ResponseWriter, r *http.Request) bool {
		r.Body = io.NopCloser(slowReader{r.Body, 20 * time.Millisecond})
		r.ContentLength = -1
		return false
	})
	start := time.Now()
	go func() {
		resp, err := postText(t, h.client, m.srv.URL+"/pay", strings.Repeat("x", 31<<10))
		if err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case err := <-readErr:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("handler read: %v, want a deadline error", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("the body read ended after %v", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was still reading a trickled body after 10s")
	}
}

// An envelope made for another origin (its htu names evil.example), sent
// here with that Host: refused before opening when the server knows its
// hosts, and refused as bound elsewhere when it knows its base URL.
func TestAttackHostHeaderNamesAnotherOrigin(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  ServerOption
		want int
	}{
		{"accepted hosts", WithAcceptedHosts("ledger.example"), http.StatusMisdirectedRequest},
		{"base URL", WithBaseURL("http://ledger.example"), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var runs atomic.Int32
			h := newHarness(t, counting(&runs), harnessConfig{serverOpts: []ServerOption{tc.opt}})
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, h.srv.URL+"/", nil)
			req.Host = "evil.example"
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			problemOf(t, resp, tc.want)
			if runs.Load() != 0 {
				t.Fatal("the handler ran")
			}
			req.Host = "ledger.example"
			if resp, err = h.client.Do(req); err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK || runs.Load() != 1 {
				t.Fatalf("the receiver's own host: status %d", resp.StatusCode)
			}
		})
	}
}

func TestAcceptedHostsRefuseBeforeReadingTheEnvelope(t *testing.T) {
	o := newOpener(t, fixtureKeys(t), nil)
	var runs atomic.Int32
	h := Server(o, WithAcceptedHosts("Ledger.example:8443"))(counting(&runs))
	body := &readCounter{}
	req := httptest.NewRequest(http.MethodPost, "http://evil.example/pay", body)
	req.Header.Set("Content-Type", BareContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMisdirectedRequest || body.reads != 0 {
		t.Fatalf("status %d after %d body reads, want 421 before any", rec.Code, body.reads)
	}
	req = httptest.NewRequest(http.MethodGet, "http://ledger.example:8443/pay", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("accepted host: status %d, want 401 (no envelope)", rec.Code)
	}
}

type readCounter struct{ reads int }

func (r *readCounter) Read([]byte) (int, error) { r.reads++; return 0, io.EOF }

// The body deadline bounds the body only: a handler that has read its body
// may take longer than the deadline without its request being cancelled.
func TestBodyTimeoutEndsWithTheBody(t *testing.T) {
	ctxErr := make(chan error, 1)
	h := newHarness(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(400 * time.Millisecond)
		ctxErr <- r.Context().Err()
		_, _ = io.WriteString(w, "done")
	}), harnessConfig{serverOpts: []ServerOption{WithBodyTimeout(200 * time.Millisecond)}})
	// A body of unknown length, sent chunked, as a stream would be.
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/pay", io.MultiReader(strings.NewReader("100 to alice")))
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); body != "done" {
		t.Fatalf("reply %q", body)
	}
	if err := <-ctxErr; err != nil {
		t.Fatalf("the request was cancelled after its body had been read: %v", err)
	}
}
