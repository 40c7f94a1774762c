package transport

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sealjwt/sealjwt/internal/record"
)

// A body that can be read again (GetBody) goes out with its sealed
// Content-Length, so a small request leaves in one write with its headers;
// any other body streams, record by record, with chunked encoding.
func TestRequestBodyFraming(t *testing.T) {
	for _, size := range []int{1, 77, record.DefaultRecordSize, streamBodySize + 3} {
		body := strings.Repeat("b", size)
		replayable := func(r io.Reader) func() (io.ReadCloser, error) {
			return func() (io.ReadCloser, error) { return io.NopCloser(r), nil }
		}
		for _, c := range []struct {
			name    string
			reader  io.Reader
			length  int64
			getBody func() (io.ReadCloser, error)
			sized   bool
		}{
			{"replayable", strings.NewReader(body), int64(size), nil, true}, // NewRequest sets GetBody
			{"replayable/one-byte-reads", iotest.OneByteReader(strings.NewReader(body)), int64(size), replayable(strings.NewReader(body)), true},
			{"declared/not-replayable", io.MultiReader(strings.NewReader(body)), int64(size), nil, false},
			{"unknown", io.MultiReader(strings.NewReader(body)), 0, nil, false},
		} {
			t.Run(c.name+"/"+strconv.Itoa(size), func(t *testing.T) {
				var got captured
				h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&got, true)})
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", c.reader)
				req.ContentLength = c.length
				if c.getBody != nil {
					req.GetBody = c.getBody
				}
				resp, err := h.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				if echoed := decodeWhoami(t, resp)["body"]; echoed != body {
					t.Fatalf("handler saw %d bytes, want %d", len(echoed), size)
				}
				want := int64(-1)
				if c.sized {
					want, _ = record.SealedLen(int64(size), record.DefaultRecordSize)
					if int64(len(got.body)) != want {
						t.Fatalf("sealed body is %d bytes, SealedLen says %d", len(got.body), want)
					}
				}
				if got.length != want {
					t.Fatalf("ContentLength %d, want %d", got.length, want)
				}
			})
		}
	}
}

// A body that is not in hand is sent as it arrives, even when its length
// is declared: here the sender writes the rest only after the receiver has
// read the first part, which would stall if the client held data back to
// fill a record or to seal the whole body.
func TestRequestBodyStreamsAsItArrives(t *testing.T) {
	firstRead := make(chan struct{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := make([]byte, 5)
		if _, err := io.ReadFull(r.Body, first); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		close(firstRead)
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = w.Write(append(first, rest...))
	})
	h := newHarness(t, handler, harnessConfig{})
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte("hello"))
		select {
		case <-firstRead:
			_, _ = pw.Write([]byte(", world"))
			_ = pw.Close()
		case <-time.After(5 * time.Second):
			_ = pw.CloseWithError(errors.New("the receiver never saw the first part"))
		}
	}()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", pr)
	req.ContentLength = 12
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "hello, world" {
		t.Fatalf("got %q", got)
	}
}

// A body that ends before its declared length, or runs past it, fails on
// the client: the receiver never gets a stream that ends cleanly.
func TestRequestBodyLengthMismatch(t *testing.T) {
	for _, c := range []struct {
		name     string
		body     string
		declared int64
	}{{"short", "12345", 10}, {"long", "1234567890", 5}, {"long by one record", strings.Repeat("x", 2*record.DefaultRecordSize), record.DefaultRecordSize}} {
		for _, replayable := range []bool{true, false} {
			t.Run(c.name+"/replayable="+strconv.FormatBool(replayable), func(t *testing.T) {
				results := make(chan bodyResult, 1)
				h := newHarness(t, readingHandler(results), harnessConfig{})
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", io.NopCloser(strings.NewReader(c.body)))
				req.ContentLength = c.declared
				if replayable {
					req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(c.body)), nil }
				}
				resp, err := h.client.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				if !errors.Is(err, ErrBodyLength) {
					t.Fatalf("got %v, want ErrBodyLength", err)
				}
				select {
				case r := <-results:
					if r.err == nil {
						t.Fatalf("handler read %d bytes and no error", r.n)
					}
				case <-time.After(500 * time.Millisecond):
					// A small replayable body is sealed before anything
					// is sent, so the request never reaches the handler.
				}
			})
		}
	}
}
