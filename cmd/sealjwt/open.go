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
	Args: "--key RECEIVER.jwk --trust ISSUER=SENDER.pub.jwk --aud RECEIVER-ID [ENVELOPE]\n       sealjwt open --file --key K1.jwk [--key K2.jwk ...] --trust ISSUER=SENDER.pub.jwk [-i IN] [-o OUT] [--max-age 90d]",
	Summary: `Opens an envelope with the receiver's private key and verifies the signed
message inside: signed by a trusted sender's key, with the iss that key is
registered to, for this audience, and within its lifetime. Prints the
verified claims as JSON. The envelope is the argument or stdin. Exit code 1
means the envelope was rejected; the reason is printed on stderr.
With --stream, opens a sealed stream on stdin: the verified claims go to
stderr and the data to stdout as it is authenticated. The data is complete
only if the exit code is 0: a stream cut short, reordered or followed by
extra bytes exits 1 after what was authenticated so far.
With --file, opens a sealed file (sealjwt seal --file) with whichever --key
is one of its recipients: what was verified goes to stderr, the data to -o
(kept only if the whole file verified; not overwritten without --force) or
stdout. --max-age refuses files signed longer ago (90d, 36h).
--key is repeatable, and a JWKS of private keys is accepted: any key given
opens what was sealed to it.

Replays: without --redis, open remembers nothing between runs, so the same
envelope opens again in the next run. --redis (redis://host:port/db, or
host:port) records each message id in the Redis a receiver fleet shares,
and refuses an envelope seen before, by open or by a receiver.`,
	Examples: `sealjwt open --key receiver.jwk --trust orders=sender.pub.jwk --aud billing < envelope.txt
  sealjwt open --stream --key vault.jwk --trust backup=backup.pub.jwk --aud vault \
    < db.dump.sealed > db.dump
  sealjwt open --file --key recovery.jwk --trust backup=backup.pub.jwk \
    -i db.dump.sealed -o db.dump`,
}

func runOpen(e env, args []string) int {
	fs := openCmd.NewFlagSet()
	var key cli.PathsFlag
	fs.Var(&key, "key", "receiver private key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI; repeatable")
	aud := fs.String("aud", "", "our id: the audience the message must name (not for --file)")
	var life cli.Lifetimes
	life.RegisterChecking(fs)
	redisURL := fs.String("redis", "", "shared replay store `URL` (redis://127.0.0.1:6379/0 or host:port); default: none kept between runs")
	stream := fs.Bool("stream", false, "open a sealed stream on stdin: data to stdout, claims to stderr")
	file := fs.Bool("file", false, "open a sealed file: data to -o or stdout, what was verified to stderr")
	maxAge := fs.String("max-age", "", "with --file: refuse files signed longer ago than this (90d, 36h)")
	var data dataFlags
	data.register(fs)
	var trust cli.TrustFlag
	fs.Var(&trust, "trust", cli.TrustUsage("sender"))
	return openCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if err := checkOpenFlags(len(key), *aud, trust.Len(), *stream, *file, *maxAge, len(rest)); err != nil {
			return err
		}
		if err := life.Check(); err != nil {
			return err
		}
		keys, err := cli.SealKeysFrom(key)
		if err != nil {
			return err
		}
		senders, err := trust.Load()
		if err != nil {
			return err
		}
		if *file {
			*aud = fileAudience
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
		if *maxAge != "" {
			d, err := cli.ParseAge(*maxAge)
			if err != nil {
				return err
			}
			opts = append(opts, sealjwt.WithMaxAge(d))
		}
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
		if *file {
			return openFile(e, &data, opener)
		}
		if *stream {
			return openStdin(e, &data, opener)
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

// fileAudience stands in for the verifier's audience with --file: a file
// names its recipients by their keys and carries no aud.
const fileAudience = "sealjwt-file"

// checkOpenFlags refuses, before anything is read, flags that do not fit
// the mode.
func checkOpenFlags(keys int, aud string, trusted int, stream, file bool, maxAge string, args int) error {
	switch {
	case stream && file:
		return cli.Usagef("--stream and --file exclude each other")
	case keys == 0 || trusted == 0:
		return cli.Usagef("--key and at least one --trust are required")
	case file && aud != "":
		return cli.Usagef("a file names its recipients by their keys; --aud is for messages and streams")
	case !file && aud == "":
		return cli.Usagef("--aud is required (our id, which the message must name)")
	case !file && maxAge != "":
		return cli.Usagef("--max-age is for --file; a message or a stream has its own exp")
	case (stream || file) && args > 0:
		return cli.Usagef("the sealed data comes from stdin or -i FILE, not as an argument")
	}
	return nil
}
