package main

import (
	"context"
	"fmt"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
)

var openCmd = cli.Command{
	Name: "sealjwt open",
	Args: "--key RECEIVER.jwk --trust ISSUER=SENDER.pub.jwk --aud RECEIVER-ID [ENVELOPE]",
	Summary: `Opens an envelope with the receiver's private key and verifies the signed
message inside: signed by a trusted sender's key, with the iss that key is
registered to, for this audience, and within its lifetime. Prints the
verified claims as JSON. The envelope is the argument or stdin. Exit code 1
means the envelope was rejected; the reason is printed on stderr.
With --stream, opens a sealed stream on stdin: the verified claims go to
stderr and the data to stdout as it is authenticated. The data is complete
only if the exit code is 0: a stream cut short, reordered or followed by
extra bytes exits 1 after what was authenticated so far.

Replays: without --redis, open remembers nothing between runs, so the same
envelope opens again in the next run. --redis (redis://host:port/db, or
host:port) records each message id in the Redis a receiver fleet shares,
and refuses an envelope seen before, by open or by a receiver.`,
	Examples: `sealjwt open --key receiver.jwk --trust orders=sender.pub.jwk --aud billing < envelope.txt
  sealjwt open --stream --key vault.jwk --trust backup=backup.pub.jwk --aud vault \
    < db.dump.sealed > db.dump`,
}

func runOpen(e env, args []string) int {
	fs := openCmd.NewFlagSet()
	key := fs.String("key", "", "receiver private key: JWK or JWKS `FILE`")
	aud := fs.String("aud", "", "our id: the audience the message must name")
	var life cli.Lifetimes
	life.RegisterChecking(fs)
	redisURL := fs.String("redis", "", "shared replay store `URL` (redis://127.0.0.1:6379/0 or host:port); default: none kept between runs")
	stream := fs.Bool("stream", false, "open a sealed stream on stdin: data to stdout, claims to stderr")
	var trust cli.TrustFlag
	fs.Var(&trust, "trust", cli.TrustUsage("sender"))
	return openCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if *key == "" || *aud == "" || trust.Len() == 0 {
			return cli.Usagef("--key, --aud and at least one --trust are required")
		}
		if *stream && len(rest) > 0 {
			return cli.Usagef("a stream comes on stdin, not as an argument")
		}
		if err := life.Check(); err != nil {
			return err
		}
		keys, err := cli.SealKeys(*key)
		if err != nil {
			return err
		}
		senders, err := trust.Load()
		if err != nil {
			return err
		}
		v, err := token.NewVerifier(*aud, token.WithLeeway(life.Leeway), token.WithMaxLifetime(life.MaxLifetime))
		if err != nil {
			return err
		}
		for _, s := range senders {
			if err := v.Trust(s.Issuer, s.Keys); err != nil {
				return err
			}
		}
		var opts []sealjwt.OpenerOption
		if *redisURL != "" {
			store, _, closeRedis, err := app.RedisStore(context.Background(), *redisURL, life.Leeway)
			if err != nil {
				return err
			}
			defer closeRedis()
			opts = append(opts, sealjwt.WithReplayStore(store))
		}
		opener, err := sealjwt.NewOpener(keys, v, opts...)
		if err != nil {
			return err
		}
		if *stream {
			return openStdin(e, opener)
		}
		envelope, err := readCompact(e.stdin, rest, "envelope")
		if err != nil {
			return err
		}
		msg, err := opener.Open(context.Background(), envelope)
		if err != nil {
			return fmt.Errorf("rejected: %w", err)
		}
		return printClaims(e.stdout, msg.Payload)
	})
}
