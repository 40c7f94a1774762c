package main

import (
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

var signCmd = cli.Command{
	Name: "sealjwt sign",
	Args: "(--key SENDER.jwk | --secret S) --iss ISSUER --aud AUDIENCE [flags] [CLAIMS-JSON]",
	Summary: `Signs the claims as a plain JWT, not encrypted: the signed-only mode, for a
channel that is already confidential. The key is a private JWK, or an
HS256 shared secret of at least 32 bytes (--secret or $` + cli.SecretEnv + `).
The token's typ is the signed-only kind's, ` + session.BearerTokenType + `. Prints the token.`,
	Examples: `export ` + cli.SecretEnv + `='a shared secret of at least 32 bytes!!'
sealjwt sign --iss sender --aud receiver '{"sub":"job-7"}'`,
}

func runSign(e env, args []string) int {
	fs := signCmd.NewFlagSet()
	key := fs.String("key", "", "private signing key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI")
	secret := fs.String("secret", "", "HS256 shared secret (default $"+cli.SecretEnv+")")
	iss := fs.String("iss", "", "issuer: our id")
	aud := fs.String("aud", "", "audience: the receiver's id")
	var life cli.Lifetimes
	life.RegisterMaking(fs)
	var claims claimsInput
	claims.register(fs)
	return signCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if *iss == "" || *aud == "" {
			return cli.Usagef("--iss and --aud are required")
		}
		if err := life.Check(); err != nil {
			return err
		}
		body, err := claims.read(e.stdin, rest)
		if err != nil {
			return err
		}
		keys, err := signingKeys(*key, *secret)
		if err != nil {
			return err
		}
		signer, err := token.NewSigner(keys, *iss, token.WithLifetime(life.Exp), token.WithType(session.BearerTokenType))
		if err != nil {
			return err
		}
		var app any
		if body != nil {
			app = body
		}
		tok, err := signer.Sign(*aud, app)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, tok)
		return nil
	})
}

// signingKeys is the key file if one is given, else the HS256 secret.
func signingKeys(keyFile, secret string) (*token.KeySet, error) {
	if keyFile != "" {
		if secret != "" {
			return nil, cli.Usagef("give --key or --secret, not both")
		}
		return cli.SigningKeys(keyFile)
	}
	k, err := cli.HMACKey(secret, false, nil)
	if err != nil {
		return nil, err
	}
	return token.NewKeySet(k)
}
