package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// requestTimeout bounds one request end to end, body included.
const requestTimeout = 30 * time.Second

// BaseTransport is a plain HTTP transport that keeps enough idle
// connections for a load run: the default of 2 per host would make every
// concurrent worker past the second open a new connection per request.
func BaseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 512
	return t
}

// NewSealer signs as issuer with the primary key of keys (opts set the
// lifetime) and seals.
func NewSealer(keys *token.KeySet, issuer string, opts ...token.SignerOption) (*sealjwt.Sealer, error) {
	signer, err := token.NewSigner(keys, issuer, opts...)
	if err != nil {
		return nil, err
	}
	return sealjwt.NewSealer(signer)
}

// SealedClient returns a client that seals every request as sealer, to
// the receiver named audience, with the receiver keys from keys.
func SealedClient(base http.RoundTripper, sealer *sealjwt.Sealer, audience string, keys transport.KeySource, opts ...transport.ClientOption) *http.Client {
	return &http.Client{Transport: transport.NewTransport(base, sealer, audience, keys, opts...), Timeout: requestTimeout}
}

// Reply is a receiver's answer, already decrypted by the client.
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
}

// Do sends one request (body may be nil) and reads the whole reply. A
// non-2xx status is an error naming the receiver's problem title.
func Do(ctx context.Context, c *http.Client, method, url string, body []byte, contentType string) (*Reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" && body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := cli.ReadAll(resp.Body, "reply")
	if err != nil {
		return nil, err
	}
	rep := &Reply{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: data}
	if resp.StatusCode/100 != 2 {
		return rep, &StatusError{Status: resp.StatusCode, Detail: problemTitle(rep)}
	}
	return rep, nil
}

// StatusError is a refusal by the receiver.
type StatusError struct {
	Status int
	Detail string
}

// StatusCode is the status the receiver answered.
func (e *StatusError) StatusCode() int { return e.Status }

func (e *StatusError) Error() string {
	return fmt.Sprintf("receiver answered %d %s", e.Status, e.Detail)
}

// problemTitle is the title of an RFC 9457 problem body, else the status
// text. Unsealed refusals cannot be authenticated: they are shown, not
// trusted.
func problemTitle(r *Reply) string {
	var p transport.Problem
	if strings.HasPrefix(r.ContentType, transport.ProblemContentType) && json.Unmarshal(r.Body, &p) == nil && p.Title != "" {
		return p.Title
	}
	return strings.ToLower(http.StatusText(r.Status))
}

// RetryRefused calls fn until it succeeds, fails otherwise than by a
// refused connection, or window has passed, so that a sender started just
// before its receiver finds it listening. A refused connection carried
// nothing, so trying again cannot send anything twice.
func RetryRefused(ctx context.Context, window time.Duration, fn func() error) error {
	deadline := time.Now().Add(window)
	for {
		err := fn()
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}
