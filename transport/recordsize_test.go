package transport

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// echoBody answers with the request body it read, or 400 if the body failed.
func echoBody(readErr *error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		*readErr = err
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = w.Write(body)
	})
}

// One name sets the record size on either side, and each side refuses a
// record over its own maximum before reading it: larger records pass only
// when the peer was told to accept them.
func TestRecordSizeOptionsOnBothSides(t *testing.T) {
	body := strings.Repeat("r", 100<<10)
	big := 32 << 10
	for _, c := range []struct {
		name               string
		client, server     []RecordOption
		requestOK, replyOK bool
	}{
		{"both raised", []RecordOption{WithRecordSize(big), WithMaxRecordSize(big)}, []RecordOption{WithRecordSize(big), WithMaxRecordSize(big)}, true, true},
		{"small records", []RecordOption{WithRecordSize(1 << 10)}, []RecordOption{WithRecordSize(1 << 10)}, true, true},
		{"request records over the server's maximum", []RecordOption{WithRecordSize(big)}, nil, false, true},
		{"response records over the client's maximum", nil, []RecordOption{WithRecordSize(big)}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg harnessConfig
			for _, o := range c.client {
				cfg.clientOpts = append(cfg.clientOpts, o)
			}
			for _, o := range c.server {
				cfg.serverOpts = append(cfg.serverOpts, o)
			}
			var readErr error
			h := newHarness(t, echoBody(&readErr), cfg)
			resp, err := h.client.Post(h.srv.URL+"/echo", "text/plain", strings.NewReader(body))
			var got []byte
			if err == nil {
				got, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if (readErr == nil) != c.requestOK {
				t.Fatalf("server read the request body: %v, want success %v", readErr, c.requestOK)
			}
			switch {
			case !c.requestOK:
			case c.replyOK && (err != nil || string(got) != body):
				t.Fatalf("reply of %d bytes: %v", len(got), err)
			case !c.replyOK && !errors.Is(err, ErrResponse):
				t.Fatalf("response records over the client's maximum: %v, want ErrResponse", err)
			}
		})
	}
}
