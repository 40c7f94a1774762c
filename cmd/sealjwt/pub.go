package main

import (
	"encoding/json"
	"fmt"
	"io"

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
		sealing, err := oneKind(files, e.stdin)
		if err != nil {
			return err
		}
		var set json.Marshaler
		if sealing {
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

// oneKind reports whether the files hold sealing keys, refusing a mix of
// sealing and signing keys with the names of two files that differ.
func oneKind(files []string, stdin io.Reader) (sealing bool, err error) {
	kinds := map[bool]string{true: "a sealing key (HPKE-*)", false: "a signing key"}
	for i, f := range files {
		data, err := cli.ReadFile(f, stdin)
		if err != nil {
			return false, err
		}
		if s := cli.IsSealKey(data); i == 0 {
			sealing = s
		} else if s != sealing {
			return false, cli.Usagef("keys of two kinds: %s holds %s, %s holds %s; give keys of one kind", files[0], kinds[sealing], f, kinds[s])
		}
	}
	return sealing, nil
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
		if ks.Primary().Alg() == token.HS256 {
			return nil, fmt.Errorf("%s is an HS256 shared secret, which has no public key; expected a private key of an asymmetric alg (EdDSA, ES256, ML-DSA-44, HPKE-*, ...)", f)
		}
		keys = append(keys, ks.Public().Keys()...)
	}
	return token.NewVerifyingKeySet(keys...)
}
