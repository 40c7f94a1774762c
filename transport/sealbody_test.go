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

// A body of declared length goes out with its sealed Content-Length, so a
// small request leaves in one write with its headers; a body of unknown
// length streams, record by record, with chunked encoding.
func TestRequestBodyFraming(t *testing.T) {
	for _, size := range []int{1, 77, record.DefaultRecordSize, streamBodySize + 3} {
		body := strings.Repeat("b", size)
		for _, c := range []struct {
			name   string
			reader io.Reader
			sized  bool
		}{
			{"declared", strings.NewReader(body), true},
			{"declared/one-byte-reads", iotest.OneByteReader(strings.NewReader(body)), true},
			{"unknown", io.MultiReader(strings.NewReader(body)), false},
		} {
			t.Run(c.name+"/"+strconv.Itoa(size), func(t *testing.T) {
				var got captured
				h := newHarness(t, http.HandlerFunc(whoami), harnessConfig{wrapBase: capturing(&got, true)})
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", c.reader)
				if c.sized {
					req.ContentLength = int64(size)
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

// A body that ends before its declared length, or runs past it, fails on
// the client: the receiver never gets a stream that ends cleanly.
func TestRequestBodyLengthMismatch(t *testing.T) {
	for _, c := range []struct {
		name     string
		body     string
		declared int64
	}{{"short", "12345", 10}, {"long", "1234567890", 5}, {"long by one record", strings.Repeat("x", 2*record.DefaultRecordSize), record.DefaultRecordSize}} {
		t.Run(c.name, func(t *testing.T) {
			results := make(chan bodyResult, 1)
			h := newHarness(t, readingHandler(results), harnessConfig{})
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", io.NopCloser(strings.NewReader(c.body)))
			req.ContentLength = c.declared
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
				// A small body is sealed before anything is sent, so
				// the request never reaches the handler.
			}
		})
	}
}
