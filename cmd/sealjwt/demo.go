package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/cmd/internal/metrics"
	"github.com/sealjwt/sealjwt/cmd/internal/webdemo"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

var demoCmd = cli.Command{
	Name: "sealjwt demo",
	Args: "[--suite ALG] [--sig ALG] | --web [--addr HOST:PORT]",
	Summary: `Starts a receiver on 127.0.0.1 (a free port), makes fresh keys for it and
for a sender, and sends it sealed requests through the HTTP client: a GET,
a POST with JSON, and a replay of a captured request. Each step prints what
went on the wire, what the receiver saw, and the decrypted reply. Needs
nothing else (no network, no Redis). Exits 0 when every step behaved.

With --web, serves instead the browser demo of sessions on 127.0.0.1 and
prints its URL: a login page and a protected page that shows the access
token counting down, each silent refresh, and a stolen refresh token's
replay being caught. It runs until interrupted.`,
	Examples: `sealjwt demo
sealjwt demo --suite HPKE-3 --sig ES256
sealjwt demo --web`,
}

const (
	demoSender   = "orders"
	demoReceiver = "billing"
)

func runDemo(e env, args []string) int {
	fs := demoCmd.NewFlagSet()
	suite := fs.String("suite", string(seal.DefaultAlg), "sealing alg of the receiver key")
	sig := fs.String("sig", string(token.DefaultAlg), "signing alg of the sender key")
	var ops metrics.Flags
	ops.Register(fs)
	web := fs.Bool("web", false, "serve the browser demo of sessions instead, until interrupted")
	addr := fs.String("addr", webdemo.DefaultAddr, "with --web: the loopback address to listen on")
	return demoCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		if !*web && *addr != webdemo.DefaultAddr {
			return cli.Usagef("--addr is for --web")
		}
		if *web {
			if err := webdemo.CheckAddr(*addr); err != nil {
				return cli.Usagef("--addr: %v", err)
			}
		} else if !seal.Alg(*suite).Supported() || !isTokenAlg(token.Alg(*sig)) {
			return cli.Usagef("unknown alg; use one of %s", algList())
		}
		log := ops.Logger(e.stderr)
		observer, stopMetrics, err := ops.Start(log)
		if err != nil {
			return err
		}
		defer stopMetrics()
		if *web {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return webdemo.Serve(ctx, *addr, e.stdout, webdemo.Config{Observer: observer, Log: log})
		}
		d := &demo{w: e.stdout, log: log, observer: observer}
		return d.run(context.Background(), seal.Alg(*suite), token.Alg(*sig))
	})
}

// demo holds the state shared by the steps.
type demo struct {
	w        io.Writer
	tap      *wireTap
	getAuth  string // the Authorization of step 4, replayed in step 6
	log      *slog.Logger
	observer sealjwt.Observer // Prometheus, when --metrics-addr is set

	mu   sync.Mutex
	seen []app.Seen
}

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.w, format, args...) }

func (d *demo) run(ctx context.Context, suite seal.Alg, sig token.Alg) error {
	d.printf("sealjwt demo: a sender %q and a receiver %q on this machine.\n\n", demoSender, demoReceiver)
	recvKeys, sendKeys, err := d.keys(suite, sig)
	if err != nil {
		return err
	}
	base, stop, err := d.startReceiver(recvKeys, sendKeys)
	if err != nil {
		return err
	}
	defer stop()
	client, closeKeys, err := d.client(ctx, base, sendKeys)
	if err != nil {
		return err
	}
	defer closeKeys()
	if err := d.get(ctx, client, base); err != nil {
		return err
	}
	if err := d.post(ctx, client, base); err != nil {
		return err
	}
	if err := d.replay(ctx, base); err != nil {
		return err
	}
	d.printf("\nDone: every request was signed, sealed, bound to its method and URL, and accepted once.\n")
	return nil
}

func (d *demo) keys(suite seal.Alg, sig token.Alg) (*seal.KeySet, *token.KeySet, error) {
	d.printf("1. Keys\n")
	rk, err := seal.GenerateKey(suite)
	if err != nil {
		return nil, nil, err
	}
	sk, err := token.GenerateKey(sig)
	if err != nil {
		return nil, nil, err
	}
	d.printf("   receiver %q: %s sealing key (%s), kid %s\n", demoReceiver, rk.Alg(), rk.Alg().Suite(), rk.KID())
	d.printf("   sender   %q: %s signing key, kid %s (the receiver trusts it for iss %q)\n",
		demoSender, sk.Alg(), sk.KID(), demoSender)
	recv, err := seal.NewKeySet(rk)
	if err != nil {
		return nil, nil, err
	}
	send, err := token.NewKeySet(sk)
	return recv, send, err
}

func (d *demo) startReceiver(recv *seal.KeySet, send *token.KeySet) (string, func(), error) {
	rc := &app.Receiver{ID: demoReceiver, Keys: recv,
		Trusted:   []cli.Trusted{{Issuer: demoSender, Keys: send.Verifying()}},
		OnMessage: d.saw, Log: d.log, Observer: d.observer}
	h, err := rc.Handler()
	if err != nil {
		return "", nil, err
	}
	base, stop, err := app.Background(h)
	if err != nil {
		return "", nil, err
	}
	d.printf("\n2. Receiver listening on %s\n", base)
	d.printf("   public keys at %s%s; GET / and POST %s need a sealed request\n",
		base, transport.DefaultJWKSPath, app.MessagesPath)
	return base, stop, nil
}

func (d *demo) saw(s app.Seen) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seen = append(d.seen, s)
}

func (d *demo) takeSeen() []app.Seen {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.seen
	d.seen = nil
	return s
}

// client discovers the receiver's keys from its JWKS URL, as a real
// sender would, and returns a sealing client whose wire traffic is tapped.
func (d *demo) client(ctx context.Context, base string, send *token.KeySet) (*http.Client, func(), error) {
	fetcher, err := transport.NewKeyFetcher(ctx, base+transport.DefaultJWKSPath, transport.WithObserver(d.observer))
	if err != nil {
		return nil, nil, err
	}
	set, _ := fetcher.Keys(ctx)
	d.printf("\n3. Sender fetched the receiver's JWKS (%d key); it seals to the primary key, kid %s (%s)\n",
		len(set.Keys()), set.Primary().KID(), set.Primary().Alg())
	sealer, err := app.NewSealer(send, demoSender, token.WithLifetime(time.Minute))
	if err != nil {
		fetcher.Close()
		return nil, nil, err
	}
	d.tap = &wireTap{base: app.BaseTransport()}
	client := app.SealedClient(d.tap, sealer, demoReceiver, fetcher, transport.WithObserver(d.observer))
	return client, func() { fetcher.Close() }, nil
}
