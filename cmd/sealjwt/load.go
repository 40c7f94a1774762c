package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/cmd/internal/load"
	"github.com/sealjwt/sealjwt/cmd/internal/metrics"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var loadCmd = cli.Command{
	Name: "sealjwt load",
	Args: "[-n N] [-c C] [--duration D] [--size BYTES] [--target URL --key SENDER.jwk --iss ISSUER --aud ID]",
	Summary: `Sends N sealed POST requests (or as many as fit in --duration), C at a
time, and prints throughput, p50 and p99 latency, errors by kind and the
outcomes each side reported (accepted, or refused and why). By
default it starts its own receiver on 127.0.0.1 with fresh keys. With
--target it loads a running receiver instead (which must trust --key for
--iss); only loopback targets are accepted, so it cannot be aimed at
anyone else's service. Requests still in flight when --duration ends ran
at the receiver: they are waited for (up to 5 s) and counted, and the
unsealed refusals (409, 503, 429, ...) are printed by status, so that the
totals equal the receivers'. Exit code 1 if any request failed.`,
	Examples: `sealjwt load -n 2000 -c 32
sealjwt load -c 64 --duration 60s
sealjwt load --target http://127.0.0.1:9000 --key sender.jwk --iss orders --aud billing -n 500`,
}

type loadFlags struct {
	n, c, size       int
	duration         time.Duration
	target, key      string
	iss, aud         string
	suite, sig       string
	quiet            bool
	requestsExplicit bool

	ops      metrics.Flags
	log      *slog.Logger
	observer sealjwt.Observer // Prometheus, when --metrics-addr is set
	receiver metrics.Tally    // outcomes at the in-process receiver
	sender   metrics.Tally    // outcomes at the sender
}

func runLoad(e env, args []string) int {
	fs := loadCmd.NewFlagSet()
	var f loadFlags
	fs.IntVar(&f.n, "n", 1000, "number of requests (with --duration and no -n: no count limit)")
	fs.IntVar(&f.c, "c", 16, "concurrent requests")
	fs.DurationVar(&f.duration, "duration", 0, "stop after this long (at most 10m)")
	fs.IntVar(&f.size, "size", 256, "request body size in bytes")
	fs.StringVar(&f.target, "target", "", "base `URL` of a running receiver (loopback only); default: an in-process one")
	fs.StringVar(&f.key, "key", "", "with --target: the sender signing key `FILE`")
	fs.StringVar(&f.iss, "iss", "", "with --target: the sender's issuer id")
	fs.StringVar(&f.aud, "aud", "", "with --target: the receiver's id")
	fs.StringVar(&f.suite, "suite", string(seal.DefaultAlg), "in-process receiver: sealing alg")
	fs.StringVar(&f.sig, "sig", string(token.DefaultAlg), "in-process receiver: signing alg")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress line")
	f.ops.Register(fs)
	return loadCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		fs.Visit(func(fl *flag.Flag) { f.requestsExplicit = f.requestsExplicit || fl.Name == "n" })
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		return f.run(e)
	})
}

func (f *loadFlags) config() (load.Config, error) {
	cfg := load.Config{Requests: f.n, Concurrency: f.c, Duration: f.duration, ProgressEvery: time.Second}
	if f.duration > 0 && !f.requestsExplicit {
		cfg.Requests = 0
	}
	if f.size < 0 || f.size > cli.MaxInput {
		return cfg, cli.Usagef("--size must be 0 to %d", cli.MaxInput)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, cli.Usagef("%v", err)
	}
	return cfg, nil
}

func (f *loadFlags) run(e env) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	ctx := context.Background()
	f.log = f.ops.Logger(e.stderr)
	observer, stopMetrics, err := f.ops.Start(f.log)
	if err != nil {
		return err
	}
	defer stopMetrics()
	f.observer = observer
	setup := f.inProcess
	if f.target != "" {
		setup = f.remote
	}
	client, base, cleanup, err := setup(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	plan := app.LoadPlan{URL: base + app.MessagesPath, Body: bytes.Repeat([]byte("sealjwt "), f.size/8+1)[:f.size],
		ContentType: "application/octet-stream", Config: cfg}
	fmt.Fprintf(e.stdout, "load: POST %s, %d-byte bodies, concurrency %d\n", plan.URL, f.size, cfg.Concurrency)
	res, err := app.RunLoad(ctx, client, plan, f.progress(e))
	if err != nil {
		return err
	}
	res.Print(e.stdout)
	f.receiver.Print(e.stdout, "receiver outcomes:")
	f.sender.Print(e.stdout, "sender outcomes:")
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests)
	}
	return nil
}
