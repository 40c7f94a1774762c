package main

import (
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var pubCmd = cli.Command{
	Name: "sealjwt pub",
	Args: "PRIVATE-KEY-FILE...",
	Summary: `Prints the public JWKS of one or more private keys (JWK or JWKS files), the
first key first: the first key of a receiver's JWKS is the one senders seal
to. All keys must be of one kind, sealing or signing. HS256 secrets have no
public form and are refused.`,
	Examples: `sealjwt pub receiver-2026.jwk receiver-2025.jwk > jwks.json`,
}

func runPub(e env, args []string) int {
	fs := pubCmd.NewFlagSet()
	return pubCmd.Run(fs, args, e.stdout, e.stderr, func(files []string) error {
		if len(files) == 0 {
			return cli.Usagef("at least one private key file is required")
		}
		first, err := cli.ReadFile(files[0], e.stdin)
		if err != nil {
			return err
		}
		var set json.Marshaler
		if cli.IsSealKey(first) {
			set, err = sealPublicSet(files)
		} else {
			set, err = signingPublicSet(files)
		}
		if err != nil {
			return err
		}
		out, err := json.MarshalIndent(set, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", out)
		return nil
	})
}

func sealPublicSet(files []string) (*seal.PublicKeySet, error) {
	var pubs []*seal.PublicKey
	for _, f := range files {
		ks, err := cli.SealKeys(f)
		if err != nil {
			return nil, err
		}
		pubs = append(pubs, ks.Public().Keys()...)
	}
	return seal.NewPublicKeySet(pubs...)
}

func signingPublicSet(files []string) (*token.VerifyingKeySet, error) {
	var keys []*token.VerifyingKey
	for _, f := range files {
		ks, err := cli.SigningKeys(f)
		if err != nil {
			return nil, err
		}
		keys = append(keys, ks.Public().Keys()...)
	}
	return token.NewVerifyingKeySet(keys...)
}
