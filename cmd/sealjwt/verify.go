package main

import (
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

var verifyCmd = cli.Command{
	Name: "sealjwt verify",
	Args: "(--trust ISSUER=SENDER.pub.jwk... | --secret S --iss ISSUER) --aud AUDIENCE [--tutorial] [TOKEN]",
	Summary: `Verifies a plain signed JWT (signed-only mode): signature by a trusted key,
the iss that key is registered to, the audience, the lifetime and the
explicit type (` + session.BearerTokenType + `, as sealjwt sign writes). Prints the verified claims as JSON. The token is the
argument or stdin. Exit code 1 means it was rejected. --tutorial also
accepts tokens made as the classic tutorial makes them (typ JWT, no kid,
iss, aud, jti or iat; exp required) and an HS256 secret under 32 bytes,
with a warning (RFC 7518 section 3.2 requires 32).`,
	Examples: `sealjwt verify --trust sender=sender.pub.jwk --aud receiver "$TOKEN"
sealjwt verify --secret "$SECRET" --iss sender --aud receiver "$TOKEN"
sealjwt verify --tutorial --secret captainjacksparrowsayshi --iss tutorial --aud tutorial "$TOKEN"`,
}

func runVerify(e env, args []string) int {
	fs := verifyCmd.NewFlagSet()
	secret := fs.String("secret", "", "HS256 shared secret (default $"+cli.SecretEnv+" when no --trust)")
	iss := fs.String("iss", "", "the issuer an HS256 secret belongs to")
	aud := fs.String("aud", "", "our id: the audience the token must name")
	tutorial := fs.Bool("tutorial", false, "also accept the classic tutorial's tokens and a secret under 32 bytes")
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
		opts := []token.VerifierOption{token.WithLeeway(life.Leeway), token.WithMaxLifetime(life.MaxLifetime),
			token.WithType(session.BearerTokenType)}
		if *tutorial {
			opts = append(opts, token.WithTutorialCompat())
		}
		v, err := token.NewVerifier(*aud, opts...)
		if err != nil {
			return err
		}
		if err := trustSigners(v, &trust, hmacSecret{*secret, *tutorial, e.stderr}, *iss); err != nil {
			return err
		}
		verified, err := v.Verify(tok)
		if err != nil {
			return fmt.Errorf("rejected: %w", err)
		}
		return printClaims(e.stdout, verified.Payload)
	})
}

// hmacSecret is the --secret flag, and what to do with a short one.
type hmacSecret struct {
	value    string
	tutorial bool
	warn     io.Writer
}

// trustSigners registers the --trust keys, or else the HS256 secret under
// --iss.
func trustSigners(v *token.Verifier, trust *cli.TrustFlag, secret hmacSecret, iss string) error {
	if trust.Len() > 0 {
		if secret.value != "" {
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
	k, err := cli.HMACKey(secret.value, secret.tutorial, secret.warn)
	if err != nil {
		return err
	}
	set, err := token.NewVerifyingKeySet(k.Verifying())
	if err != nil {
		return err
	}
	return v.Trust(iss, set)
}
