// Command sender is the demo sender. It fetches a receiver's public keys
// from its JWKS URL, seals a message to it and prints the decrypted reply.
// With --count and --concurrency it runs a bounded load against a receiver
// on this machine; with --signed-only it talks to the shared-secret flow.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

var command = cli.Command{
	Name: "sender",
	Args: "--key SENDER.jwk [--url URL] [--iss ISSUER] [--aud ID] [--method M] [--count N --concurrency C] [MESSAGE]\n       sender --signed-only [--url URL] [--iss ISSUER] [--aud ID] [--secret S] [--tutorial]",
	Summary: `Fetches the receiver's public keys from URL` + "/.well-known/jwks.json" + `, signs the message
as ISSUER with the sender key, seals it to the receiver named ID, POSTs it
to URL/messages and prints the decrypted reply. The message is the
argument, --file, or stdin; JSON is sent as application/json, anything
else as text/plain. --method GET or DELETE sends no body (to URL/ for
GET, unless --path says otherwise); PUT sends one like POST. A receiver
that is not listening yet is retried for --wait, so a sender may be
started just before its receiver. The receiver must trust the sender's public key for
ISSUER (receiver --trust ISSUER=sender.pub.jwk).

--count N sends N messages, --concurrency at a time, with a progress line
and a summary (throughput, p50 and p99 latency, errors); load runs only
against receivers on this machine.

--signed-only sends GET URL/ with a fresh HS256 JWT in the Token header
(secret from --secret or $` + cli.SecretEnv + `, at least 32 bytes; with --tutorial a
shorter one, such as the classic tutorial's, with a warning) and prints the reply.`,
	Examples: `sender --key sender.jwk --iss orders --aud billing '{"order":17}'
sender --key sender.jwk --iss orders --aud billing --count 1000 --concurrency 16 hello
SEALJWT_SECRET='a shared secret of at least 32 bytes!!' sender --signed-only`,
}

type config struct {
	url, jwks, path, key string
	iss, aud             string
	file, contentType    string
	count, concurrency   int
	signedOnly           bool
	secret               string
	tutorial             bool
	timeout, wait        time.Duration
	method               string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := command.NewFlagSet()
	var c config
	fs.StringVar(&c.url, "url", "http://127.0.0.1:9000", "receiver base `URL`")
	fs.StringVar(&c.jwks, "jwks", "", "receiver JWKS `URL` (default URL"+"/.well-known/jwks.json)")
	fs.StringVar(&c.path, "path", "", "request path (default "+app.MessagesPath+", or / with --signed-only)")
	fs.StringVar(&c.key, "key", "", "sender private signing key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI")
	fs.StringVar(&c.iss, "iss", "sender", "our id, as the receiver trusts it")
	fs.StringVar(&c.aud, "aud", "receiver", "the receiver's id")
	fs.StringVar(&c.file, "file", "", "read the message from `FILE` (- for stdin)")
	fs.StringVar(&c.contentType, "type", "", "content type (default: application/json for JSON, else text/plain)")
	fs.IntVar(&c.count, "count", 1, "number of messages to send")
	fs.IntVar(&c.concurrency, "concurrency", 1, "messages in flight at once, with --count")
	fs.BoolVar(&c.signedOnly, "signed-only", false, "talk to a receiver --signed-only (Token header, HS256)")
	fs.StringVar(&c.secret, "secret", "", "--signed-only: HS256 secret (default $"+cli.SecretEnv+")")
	fs.BoolVar(&c.tutorial, "tutorial", false, "--signed-only: accept a secret under 32 bytes, as the classic tutorial's, with a warning")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "key fetch and single-message timeout")
	fs.DurationVar(&c.wait, "wait", 5*time.Second, "keep retrying a receiver that refuses connections for this long")
	fs.StringVar(&c.method, "method", "", "HTTP method: GET, POST, PUT or DELETE (default POST; GET with --signed-only)")
	return command.Run(fs, args, stdout, stderr, func(rest []string) error {
		if c.wait < 0 || c.timeout <= 0 {
			return cli.Usagef("--wait must be 0s or more and --timeout more than 0s, got %v and %v", c.wait, c.timeout)
		}
		if c.tutorial && !c.signedOnly {
			return cli.Usagef("--tutorial is for --signed-only")
		}
		if c.signedOnly {
			return c.sendSignedOnly(ctx, rest, stdout, stderr)
		}
		return c.sendSealed(ctx, rest, stdin, stdout, stderr)
	})
}
