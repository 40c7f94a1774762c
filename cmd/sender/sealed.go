package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/cmd/internal/load"
	"github.com/sealjwt/sealjwt/transport"
)

func (c *config) sendSealed(ctx context.Context, rest []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if c.key == "" {
		return cli.Usagef("--key is required (a signing key the receiver trusts for --iss)")
	}
	cfg := load.Config{Requests: c.count, Concurrency: c.concurrency}
	if c.count > 1 {
		if err := cfg.Validate(); err != nil {
			return cli.Usagef("%v", err)
		}
	}
	withBody, err := c.checkMethod()
	if err != nil {
		return err
	}
	var msg []byte
	if withBody {
		if msg, err = c.message(rest, stdin); err != nil {
			return err
		}
	} else if len(rest) > 0 || c.file != "" {
		return cli.Usagef("--method %s sends no message; got a message or --file", c.method)
	}
	if c.count > 1 && c.method != http.MethodPost {
		return cli.Usagef("--count sends POSTs; got --method %s", c.method)
	}
	client, closeKeys, err := c.client(ctx)
	if err != nil {
		return err
	}
	defer closeKeys()
	defaultPath := app.MessagesPath
	if c.method == http.MethodGet {
		defaultPath = "/"
	}
	target := strings.TrimSuffix(c.url, "/") + c.pathOr(defaultPath)
	if c.count > 1 {
		return c.load(ctx, client, target, msg, cfg, stdout, stderr)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rep, err := app.Do(ctx, client, c.method, target, msg, c.typeOf(msg))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", strings.TrimRight(string(rep.Body), "\n"))
	return err
}

// client discovers the receiver's keys and returns a sealing client.
func (c *config) client(ctx context.Context) (*http.Client, func(), error) {
	keys, err := cli.SigningKeys(c.key)
	if err != nil {
		return nil, nil, err
	}
	sealer, err := app.NewSealer(keys, c.iss)
	if err != nil {
		return nil, nil, err
	}
	jwks := c.jwks
	if jwks == "" {
		jwks = strings.TrimSuffix(c.url, "/") + transport.DefaultJWKSPath
	}
	fctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var fetcher *transport.KeyFetcher
	err = app.RetryRefused(ctx, c.wait, func() (err error) {
		fetcher, err = transport.NewKeyFetcher(fctx, jwks)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	client := app.SealedClient(app.BaseTransport(), sealer, c.aud, fetcher)
	return client, func() { fetcher.Close() }, nil
}

func (c *config) load(ctx context.Context, client *http.Client, target string, msg []byte, cfg load.Config, stdout, stderr io.Writer) error {
	plan := app.LoadPlan{URL: target, Body: msg, ContentType: c.typeOf(msg), Config: cfg}
	fmt.Fprintf(stdout, "sending %d messages of %d bytes to %s, %d at a time\n", cfg.Requests, len(msg), target, cfg.Concurrency)
	res, err := app.RunLoad(ctx, client, plan, stderr)
	if err != nil {
		return err
	}
	res.Print(stdout)
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d messages failed", res.Errors, res.Requests)
	}
	return nil
}

// message is the argument, the --file, or stdin.
func (c *config) message(rest []string, stdin io.Reader) ([]byte, error) {
	switch {
	case len(rest) > 1:
		return nil, cli.Usagef("give one message (quote it)")
	case len(rest) == 1 && c.file != "":
		return nil, cli.Usagef("give a message argument or --file, not both")
	case len(rest) == 1:
		return []byte(rest[0]), nil
	case c.file != "":
		return cli.ReadFile(c.file, stdin)
	}
	return cli.ReadAll(stdin, "stdin")
}

// checkMethod refuses a method other than the four the sender knows, and
// reports whether it carries a body.
func (c *config) checkMethod() (withBody bool, err error) {
	if c.method == "" {
		c.method = http.MethodPost
	}
	switch c.method {
	case http.MethodPost, http.MethodPut:
		return true, nil
	case http.MethodGet, http.MethodDelete:
		return false, nil
	}
	return false, cli.Usagef("--method must be GET, POST, PUT or DELETE, got %q", c.method)
}

func (c *config) typeOf(msg []byte) string {
	if c.contentType != "" {
		return c.contentType
	}
	if json.Valid(msg) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

func (c *config) pathOr(def string) string {
	if c.path == "" {
		return def
	}
	return "/" + strings.TrimPrefix(c.path, "/")
}
