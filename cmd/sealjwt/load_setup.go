package main

import (
	"context"
	"io"
	"net/http"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/cmd/internal/load"
	"github.com/sealjwt/sealjwt/cmd/internal/metrics"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

func (f *loadFlags) progress(e env) io.Writer {
	if f.quiet {
		return nil
	}
	return e.stderr
}

// senderObserver counts the sender's events, and feeds them to the
// metrics if they are served.
func (f *loadFlags) senderObserver() sealjwt.Observer {
	return metrics.Observers{f.observer, &f.sender}
}

func (f *loadFlags) clientObserver() transport.ClientOption {
	return transport.WithObserver(f.senderObserver())
}

// inProcess starts a receiver on 127.0.0.1 with fresh keys and returns a
// sealing client for it.
func (f *loadFlags) inProcess(context.Context) (*http.Client, string, func(), error) {
	if !seal.Alg(f.suite).Supported() || !isTokenAlg(token.Alg(f.sig)) {
		return nil, "", nil, cli.Usagef("unknown alg; use one of %s", algList())
	}
	rk, err := seal.GenerateKey(seal.Alg(f.suite))
	if err != nil {
		return nil, "", nil, err
	}
	sk, err := token.GenerateKey(token.Alg(f.sig))
	if err != nil {
		return nil, "", nil, err
	}
	recv, err := seal.NewKeySet(rk)
	if err != nil {
		return nil, "", nil, err
	}
	send, err := token.NewKeySet(sk)
	if err != nil {
		return nil, "", nil, err
	}
	rc := &app.Receiver{ID: demoReceiver, Keys: recv, Trusted: []cli.Trusted{{Issuer: demoSender, Keys: send.Verifying()}},
		Log: f.log, Observer: metrics.Observers{f.observer, &f.receiver}}
	h, err := rc.Handler()
	if err != nil {
		return nil, "", nil, err
	}
	base, stop, err := app.Background(h)
	if err != nil {
		return nil, "", nil, err
	}
	sealer, err := app.NewSealer(send, demoSender)
	if err != nil {
		stop()
		return nil, "", nil, err
	}
	client := app.SealedClient(app.BaseTransport(), sealer, demoReceiver, transport.StaticKeys(recv.Public()), f.clientObserver())
	return client, base, stop, nil
}

// remote returns a sealing client for a running receiver on this machine,
// with its keys fetched from its JWKS.
func (f *loadFlags) remote(ctx context.Context) (*http.Client, string, func(), error) {
	if err := load.CheckLoopback(f.target); err != nil {
		return nil, "", nil, cli.Usagef("%v", err)
	}
	if f.key == "" || f.iss == "" || f.aud == "" {
		return nil, "", nil, cli.Usagef("--target needs --key, --iss and --aud")
	}
	send, err := cli.SigningKeys(f.key)
	if err != nil {
		return nil, "", nil, err
	}
	sealer, err := app.NewSealer(send, f.iss)
	if err != nil {
		return nil, "", nil, err
	}
	fetcher, err := transport.NewKeyFetcher(ctx, f.target+transport.DefaultJWKSPath,
		transport.WithObserver(f.senderObserver()))
	if err != nil {
		return nil, "", nil, err
	}
	client := app.SealedClient(app.BaseTransport(), sealer, f.aud, fetcher, f.clientObserver())
	return client, f.target, func() { fetcher.Close() }, nil
}
