package main

import (
	"context"
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
)

var sealCmd = cli.Command{
	Name: "sealjwt seal",
	Args: "--to RECEIVER.pub.jwk --key SENDER.jwk --iss ISSUER --aud RECEIVER-ID [flags] [CLAIMS-JSON]",
	Summary: `Signs the claims as ISSUER with the sender's key, then seals the signed
token to the receiver's public key (its primary key, for a JWKS). Prints
the envelope: a JOSE-HPKE compact JWE. The claims come from --claims, --in,
the argument, or stdin; iss, aud, iat, exp and jti are set here.
With --stream, seals stdin, of any length, to stdout as a sealed stream
(the envelope, then the data in records); the claims then come from
--claims, --in FILE or the argument. With --request "METHOD URL", the
envelope is a transport request's (htm and htu set), for posting as a
bare envelope with Content-Type: application/jose.`,
	Examples: `sealjwt seal --to receiver.pub.jwk --key sender.jwk --iss orders --aud billing \
    '{"sub":"order-17","amount":1200}' > envelope.txt
  sealjwt seal --stream --to vault.pub.jwk --key backup.jwk --iss backup --aud vault \
    '{"name":"db.dump"}' < db.dump > db.dump.sealed`,
}

func runSeal(e env, args []string) int {
	fs := sealCmd.NewFlagSet()
	to := fs.String("to", "", "receiver public key: JWK or JWKS `FILE`")
	key := fs.String("key", "", "sender private signing key: JWK or JWKS `FILE`")
	iss := fs.String("iss", "", "issuer: the sender's id, as the receiver trusts it")
	aud := fs.String("aud", "", "audience: the receiver's id")
	var life cli.Lifetimes
	life.RegisterMaking(fs)
	stream := fs.Bool("stream", false, "seal stdin to stdout as a stream")
	request := fs.String("request", "", "seal a transport request envelope for `\"METHOD URL\"`")
	var claims claimsInput
	claims.register(fs)
	return sealCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if *to == "" || *key == "" || *iss == "" || *aud == "" {
			return cli.Usagef("--to, --key, --iss and --aud are required")
		}
		if *stream && *request != "" {
			return cli.Usagef("--stream and --request are two kinds: give one")
		}
		if err := life.Check(); err != nil {
			return err
		}
		claims.stdinTaken = *stream
		body, err := claims.read(e.stdin, rest)
		if err != nil {
			return err
		}
		recipients, err := cli.SealPublicKeys(*to)
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
		if *stream {
			return sealStdin(e, sealer, recipients.Primary(), *aud, app)
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
