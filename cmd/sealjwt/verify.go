package main

import (
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

var verifyCmd = cli.Command{
	Name: "sealjwt verify",
	Args: "(--trust ISSUER=SENDER.pub.jwk... | --secret S --iss ISSUER) --aud AUDIENCE [TOKEN]",
	Summary: `Verifies a plain signed JWT (signed-only mode): signature by a trusted key,
the iss that key is registered to, the audience, the lifetime and the
explicit type (` + session.BearerTokenType + `, as sealjwt sign writes). Prints the verified claims as JSON. The token is the
argument or stdin. Exit code 1 means it was rejected.`,
	Examples: `sealjwt verify --trust sender=sender.pub.jwk --aud receiver "$TOKEN"
sealjwt verify --secret "$SECRET" --iss sender --aud receiver "$TOKEN"`,
}

func runVerify(e env, args []string) int {
	fs := verifyCmd.NewFlagSet()
	secret := fs.String("secret", "", "HS256 shared secret (default $"+cli.SecretEnv+" when no --trust)")
	iss := fs.String("iss", "", "the issuer an HS256 secret belongs to")
	aud := fs.String("aud", "", "our id: the audience the token must name")
	var life cli.Lifetimes
	life.RegisterChecking(fs)
	var trust cli.TrustFlag
	fs.Var(&trust, "trust", cli.TrustUsage("signer"))
	return verifyCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if *aud == "" {
			return cli.Usagef("--aud is required")
		}
		if err := life.Check(); err != nil {
			return err
		}
		tok, err := readCompact(e.stdin, rest, "token")
		if err != nil {
			return err
		}
		v, err := token.NewVerifier(*aud, token.WithLeeway(life.Leeway), token.WithMaxLifetime(life.MaxLifetime),
			token.WithType(session.BearerTokenType))
		if err != nil {
			return err
		}
		if err := trustSigners(v, &trust, *secret, *iss); err != nil {
			return err
		}
		verified, err := v.Verify(tok)
		if err != nil {
			return fmt.Errorf("rejected: %w", err)
		}
		return printClaims(e.stdout, verified.Payload)
	})
}

// trustSigners registers the --trust keys, or else the HS256 secret under
// --iss.
func trustSigners(v *token.Verifier, trust *cli.TrustFlag, secret, iss string) error {
	if trust.Len() > 0 {
		if secret != "" {
			return cli.Usagef("give --trust or --secret, not both")
		}
		senders, err := trust.Load()
		if err != nil {
			return err
		}
		for _, s := range senders {
			if err := v.Trust(s.Issuer, s.Keys); err != nil {
				return err
			}
		}
		return nil
	}
	if iss == "" {
		return cli.Usagef("give --trust ISSUER=FILE, or --iss with an HS256 secret")
	}
	k, err := cli.HMACKey(secret)
	if err != nil {
		return err
	}
	set, err := token.NewVerifyingKeySet(k.Public())
	if err != nil {
		return err
	}
	return v.Trust(iss, set)
}
