package transport

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recordBounds returns the offsets at which each record of a stream ends.
func recordBounds(t *testing.T, stream []byte) []int {
	t.Helper()
	var ends []int
	for off := 0; off < len(stream); {
		if off+4 > len(stream) {
			t.Fatalf("stream ends inside a length at %d", off)
		}
		off += 4 + int(binary.BigEndian.Uint32(stream[off:]))
		ends = append(ends, off)
	}
	return ends
}

// records splits a stream into its records (length prefix included).
func records(t *testing.T, stream []byte) [][]byte {
	var out [][]byte
	start := 0
	for _, end := range recordBounds(t, stream) {
		out = append(out, stream[start:end])
		start = end
	}
	return out
}

// bodyResult is what the handler got from reading the request body.
type bodyResult struct {
	n   int
	err error
}

// readingHandler reads the whole body and reports the outcome.
func readingHandler(results chan<- bodyResult) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		results <- bodyResult{int(n), err}
	})
}

// rewriteRequestBody changes the sealed request body on the wire.
func rewriteRequestBody(f func([]byte) []byte) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			// The attacker rewrites the framing too, so that the edited
			// stream arrives whole as far as HTTP can tell.
			edited := f(body)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(edited)), int64(len(edited))
			return base.RoundTrip(r)
		})
	}
}

// streamEdits are the ways an attacker may cut or rearrange a record
// stream; every one must surface as an error, never as a complete body.
func streamEdits(t *testing.T, sample []byte) map[string]func([]byte) []byte {
	edits := map[string]func([]byte) []byte{}
	ends := recordBounds(t, sample)
	if len(ends) < 3 {
		t.Fatalf("sample has %d records, want at least 3", len(ends))
	}
	cuts := []int{0, 2, 4, 5, ends[0] - 1}
	for _, end := range ends[:len(ends)-1] {
		cuts = append(cuts, end, end+3, end+4, end+100)
	}
	cuts = append(cuts, ends[len(ends)-1]-1)
	for _, cut := range cuts {
		edits["cut at "+strconv.Itoa(cut)] = func(b []byte) []byte { return b[:cut] }
	}
	edits["records reordered"] = func(b []byte) []byte {
		r := records(t, b)
		r[0], r[1] = r[1], r[0]
		return bytes.Join(r, nil)
	}
	edits["record duplicated"] = func(b []byte) []byte {
		r := records(t, b)
		return bytes.Join(append([][]byte{r[0]}, r...), nil)
	}
	edits["record dropped"] = func(b []byte) []byte {
		r := records(t, b)
		return bytes.Join(append(r[:1:1], r[2:]...), nil)
	}
	edits["data after final record"] = func(b []byte) []byte { return append(b, 0, 0, 0, 0) }
	edits["record length 2^32-1"] = func(b []byte) []byte {
		return append([]byte{0xff, 0xff, 0xff, 0xff}, b[4:]...)
	}
	return edits
}

const streamBodySize = 40 << 10 // three full-or-partial records and a final one

func TestAttackRequestStreamCutOrRearranged(t *testing.T) {
	body := strings.Repeat("x", streamBodySize)
	var c captured
	sample := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&c, false)})
	if resp, err := sample.client.Post(sample.srv.URL+"/", "text/plain", strings.NewReader(body)); err == nil {
		resp.Body.Close()
	}
	for name, edit := range streamEdits(t, c.body) {
		t.Run(name, func(t *testing.T) {
			results := make(chan bodyResult, 1)
			h := newHarness(t, readingHandler(results), harnessConfig{wrapBase: rewriteRequestBody(edit)})
			resp, err := h.client.Post(h.srv.URL+"/", "text/plain", strings.NewReader(body))
			if err == nil {
				resp.Body.Close()
			}
			select {
			case r := <-results:
				if r.err == nil {
					t.Fatalf("handler read %d bytes and no error", r.n)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("handler never finished reading")
			}
		})
	}
}

func TestAttackResponseStreamCutOrRearranged(t *testing.T) {
	payload := strings.Repeat("y", streamBodySize)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, payload) })
	var sample []byte
	grab := rewriteResponse(func(r *http.Response) {
		sample, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(sample))
	})
	h := newHarness(t, handler, harnessConfig{wrapBase: grab})
	resp, err := get(t, h.client, h.srv.URL+"/")
	if err != nil || readAll(t, resp) != payload {
		t.Fatalf("untampered response: %v", err)
	}
	for name, edit := range streamEdits(t, sample) {
		t.Run(name, func(t *testing.T) {
			tamper := rewriteResponse(func(r *http.Response) {
				b, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(edit(b)))
			})
			h := newHarness(t, handler, harnessConfig{wrapBase: tamper})
			resp, err := get(t, h.client, h.srv.URL+"/")
			if err != nil {
				return // refused before the body was handed over
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err == nil {
				t.Fatalf("client read %d bytes and no error", len(got))
			}
			if errors.Is(err, io.EOF) {
				t.Fatalf("error is io.EOF: %v", err)
			}
		})
	}
}

// patternReader yields n bytes of a fixed pattern without holding them.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	for i := range b {
		b[i] = byte(i)
	}
	p.left -= int64(len(b))
	return len(b), nil
}

// heapWatch samples the heap while a transfer runs and reports its peak
// growth over the starting point.
func heapWatch() (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				if s.HeapAlloc > base && s.HeapAlloc-base > peak.Load() {
					peak.Store(s.HeapAlloc - base)
				}
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

func TestStream1GiBBothWaysBoundedHeap(t *testing.T) {
	const size = 1 << 30
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil || n != size {
			http.Error(w, "short body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.Copy(w, &patternReader{left: size})
	})
	h := newHarness(t, handler, harnessConfig{serverOpts: []ServerOption{WithMaxBodySize(-1)}})
	stop := heapWatch()
	req, _ := http.NewRequest(http.MethodPut, h.srv.URL+"/blob", &patternReader{left: size})
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	growth := stop()
	if err != nil || n != size || resp.StatusCode != http.StatusOK {
		t.Fatalf("response: status %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	t.Logf("1 GiB up and 1 GiB down; peak heap growth %d KiB", growth>>10)
	if growth >= 8<<20 {
		t.Fatalf("heap grew by %d bytes, want < 8 MiB", growth)
	}
}

func TestRequestBodyOverLimitFails(t *testing.T) {
	results := make(chan bodyResult, 1)
	h := newHarness(t, readingHandler(results), harnessConfig{serverOpts: []ServerOption{WithMaxBodySize(1000)}})
	resp, err := h.client.Post(h.srv.URL+"/", "text/plain", strings.NewReader(strings.Repeat("z", 5000)))
	if err == nil {
		resp.Body.Close()
	}
	if r := <-results; !errors.Is(r.err, ErrBodyTooLarge) {
		t.Fatalf("body over limit: %d bytes, err %v", r.n, r.err)
	}
}
