package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// sendSignedOnly sends one GET with a fresh HS256 token in the Token
// header, as the shared-secret flow expects, and prints the reply.
func (c *config) sendSignedOnly(ctx context.Context, rest []string, stdout, stderr io.Writer) error {
	if len(rest) > 0 || c.key != "" || c.count != 1 || (c.method != "" && c.method != http.MethodGet) {
		return cli.Usagef("--signed-only sends one GET: no message, --key, --count or --method %s", c.method)
	}
	key, err := cli.HMACKey(c.secret, c.tutorial, stderr)
	if err != nil {
		return err
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		return err
	}
	signer, err := token.NewSigner(keys, c.iss, token.WithType(session.BearerTokenType))
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: c.timeout,
		Transport: session.NewBearerTransport(app.BaseTransport(), signer, c.aud, session.TokenHeader)}
	target := strings.TrimSuffix(c.url, "/") + c.pathOr("/")
	var rep *app.Reply
	err = app.RetryRefused(ctx, c.wait, func() (err error) {
		rep, err = app.Do(ctx, client, http.MethodGet, target, nil, "")
		return err
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", strings.TrimRight(string(rep.Body), "\n"))
	return err
}
