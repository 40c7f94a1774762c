package main

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// wireTap is an http.RoundTripper placed under the sealing transport, so it
// sees requests and responses exactly as they cross the network. The demo
// uses it to show that what travels is sealed.
type wireTap struct {
	base http.RoundTripper

	mu   sync.Mutex
	last *wireRecord
}

// wireRecord is one exchange as seen on the wire.
type wireRecord struct {
	Method, URL   string
	Authorization string
	ReqType       string
	reqBytes      atomic.Int64
	Status        int
	RespType      string
	respBytes     atomic.Int64
}

func (t *wireTap) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := &wireRecord{Method: req.Method, URL: req.URL.String(),
		Authorization: req.Header.Get("Authorization"), ReqType: req.Header.Get("Content-Type")}
	t.mu.Lock()
	t.last = rec
	t.mu.Unlock()
	if req.Body != nil && req.Body != http.NoBody {
		out := req.Clone(req.Context())
		out.Body = &counter{ReadCloser: req.Body, n: &rec.reqBytes}
		req = out
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rec.Status, rec.RespType = resp.StatusCode, resp.Header.Get("Content-Type")
	resp.Body = &counter{ReadCloser: resp.Body, n: &rec.respBytes}
	return resp, nil
}

// take returns the last exchange and forgets it.
func (t *wireTap) take() *wireRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.last
	t.last = nil
	return r
}

type counter struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}
