package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
)

var sealCmd = cli.Command{
	Name: "sealjwt seal",
	Args: "--to RECEIVER.pub.jwk --key SENDER.jwk --iss ISSUER --aud RECEIVER-ID [flags] [CLAIMS-JSON]\n       sealjwt seal --file --to R1.pub.jwk [--to R2.pub.jwk ...] [--to-file RECIPIENTS.jwks] --key SENDER.jwk --iss ISSUER [-i IN] [-o OUT] [CLAIMS-JSON]",
	Summary: `Signs the claims as ISSUER with the sender's key, then seals the signed
token to the receiver's public key (its primary key, for a JWKS). Prints
the envelope: a JOSE-HPKE compact JWE. The claims come from --claims, --in,
the argument, or stdin; iss, aud, iat, exp and jti are set here.
With --stream, seals stdin, of any length, to stdout as a sealed stream
(the envelope, then the data in records); the claims then come from
--claims, --in FILE or the argument. A stream is a message: it expires.
With --request "METHOD URL", the envelope is a transport request's (htm
and htu set), for posting as a bare envelope with Content-Type:
application/jose.
With --file, seals data at rest (a backup, an archive) for one or more
recipients, any one of whose keys opens it, for as long as the sender is
trusted: no expiry, no single use. --to is repeatable (up to 64 keys in
all) and --to-file adds every key of a JWKS. Data comes from -i or stdin
and goes to -o or stdout; -o is not overwritten without --force.`,
	Examples: `sealjwt seal --to receiver.pub.jwk --key sender.jwk --iss orders --aud billing \
    '{"sub":"order-17","amount":1200}' > envelope.txt
  sealjwt seal --stream --to vault.pub.jwk --key backup.jwk --iss backup --aud vault \
    '{"name":"db.dump"}' < db.dump > db.dump.sealed
  sealjwt seal --file --to service.pub.jwk --to recovery.pub.jwk --key backup.jwk \
    --iss backup -i db.dump -o db.dump.sealed`,
}

func runSeal(e env, args []string) int {
	fs := sealCmd.NewFlagSet()
	var to, toFile cli.PathsFlag
	fs.Var(&to, "to", "receiver public key: JWK, JWKS, PEM, DER or certificate `FILE[:ALG]`, or a pkcs11: URI (its primary key); repeatable with --file")
	fs.Var(&toFile, "to-file", "with --file: every key of this JWKS `FILE` is a recipient; repeatable")
	key := fs.String("key", "", "sender private signing key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI")
	iss := fs.String("iss", "", "issuer: the sender's id, as the receiver trusts it")
	aud := fs.String("aud", "", "audience: the receiver's id")
	var life cli.Lifetimes
	life.RegisterMaking(fs)
	stream := fs.Bool("stream", false, "seal data of any length to a stream (a message with records)")
	request := fs.String("request", "", "seal a transport request envelope for `\"METHOD URL\"`")
	file := fs.Bool("file", false, "seal data at rest for one or more recipients: no expiry")
	var data dataFlags
	data.register(fs)
	var claims claimsInput
	claims.register(fs)
	return sealCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if err := checkSealFlags(fs, to, toFile, *key, *iss, *aud, *stream, *file); err != nil {
			return err
		}
		if (*stream || *file) && *request != "" {
			return cli.Usagef("--request seals a transport request: it goes with neither --stream nor --file")
		}
		if err := life.Check(); err != nil {
			return err
		}
		claims.stdinTaken = *stream || *file
		body, err := claims.read(e.stdin, rest)
		if err != nil {
			return err
		}
		signing, err := cli.SigningKeys(*key)
		if err != nil {
			return err
		}
		sealer, err := app.NewSealer(signing, *iss, token.WithLifetime(life.Exp))
		if err != nil {
			return err
		}
		var app any
		if body != nil {
			app = body
		}
		if *file {
			recipients, err := cli.SealRecipients(to, toFile)
			if err != nil {
				return err
			}
			return sealFile(e, &data, sealer, recipients, app)
		}
		recipients, err := cli.SealPublicKeys(to[0])
		if err != nil {
			return err
		}
		if *stream {
			return sealStdin(e, &data, sealer, recipients.Primary(), *aud, app)
		}
		var env string
		if *request != "" {
			env, err = sealRequest(sealer, recipients.Primary(), *aud, body, *request)
		} else {
			env, err = sealer.Seal(context.Background(), recipients.Primary(), *aud, app)
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, env)
		return nil
	})
}

// checkSealFlags refuses, before anything is read, flags that do not fit
// the mode: a file names its recipients by their keys (no --aud) and may
// have many; a message or a stream has one recipient and an audience.
func checkSealFlags(fs *flag.FlagSet, to, toFile []string, key, iss, aud string, stream, file bool) error {
	switch {
	case stream && file:
		return cli.Usagef("--stream and --file exclude each other: --file for data at rest, --stream for data in transit that expires")
	case key == "" || iss == "":
		return cli.Usagef("--key and --iss are required")
	case file && len(to)+len(toFile) == 0:
		return cli.Usagef("--file needs at least one --to or --to-file")
	case file && aud != "":
		return cli.Usagef("a file names its recipients by their keys (--to); --aud is for messages and streams")
	case file:
		return nil
	case len(toFile) > 0 || len(to) > 1:
		return cli.Usagef("several recipients need --file; a message or a stream has one --to")
	case len(to) == 0 || aud == "":
		return cli.Usagef("--to, --key, --iss and --aud are required")
	}
	if !stream && (flagSet(fs, "i") || flagSet(fs, "o")) {
		return cli.Usagef("-i and -o are for --file and --stream; a message's claims come from --claims, --in, the argument or stdin")
	}
	return nil
}

// flagSet reports whether the flag name was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
