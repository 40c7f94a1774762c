package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var keygenCmd = cli.Command{
	Name: "sealjwt keygen",
	Args: "[--alg ALG] [--out NAME] [--force]",
	Summary: `Generates a key and writes NAME.jwk (the private JWK, mode 0600) and
NAME.pub.jwk (the public JWK). A sealing alg (HPKE-0 ... HPKE-13, and the
HPKE-n-KE variants) makes a receiver key; a signing alg (EdDSA, ES256,
ES384, PS256, RS256, ML-DSA-44/65/87, HS256) makes a sender key. An HS256
key is a shared secret: it has no public half, so only NAME.jwk is written.
Existing files are never overwritten without --force.`,
	Examples: `sealjwt keygen --alg HPKE-9 --out receiver
sealjwt keygen --alg EdDSA --out sender`,
}

func runKeygen(e env, args []string) int {
	fs := keygenCmd.NewFlagSet()
	alg := fs.String("alg", string(seal.DefaultAlg), "algorithm: "+algList())
	out := fs.String("out", "key", "file name prefix: writes `NAME`.jwk and NAME.pub.jwk")
	force := fs.Bool("force", false, "overwrite existing files")
	return keygenCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		priv, pub, kid, err := generate(*alg)
		if err != nil {
			return err
		}
		if err := cli.WritePrivate(*out+".jwk", priv, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s.jwk (private, mode 0600; keep it secret)\n", *out)
		if pub != nil {
			if err := cli.WritePublic(*out+".pub.jwk", pub, *force); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s.pub.jwk (public)\n", *out)
		}
		fmt.Fprintf(e.stdout, "alg %s, kid %s\n", *alg, kid)
		return nil
	})
}

// generate makes a key with the package that owns alg and returns its
// private and public JWKs (pub is nil for a shared secret) and its kid.
func generate(alg string) (priv, pub []byte, kid string, err error) {
	if a := seal.Alg(alg); a.Supported() {
		k, err := seal.GenerateKey(a)
		if err != nil {
			return nil, nil, "", err
		}
		return marshalPair(k, k.Public(), k.KID())
	}
	a := token.Alg(alg)
	if !isTokenAlg(a) {
		return nil, nil, "", cli.Usagef("unknown alg %q; use one of %s", alg, algList())
	}
	k, err := token.GenerateKey(a)
	if err != nil {
		return nil, nil, "", err
	}
	if a == token.HS256 {
		priv, err := json.MarshalIndent(k, "", "  ")
		return priv, nil, k.KID(), err
	}
	return marshalPair(k, k.Public(), k.KID())
}

func marshalPair(priv, pub json.Marshaler, kid string) ([]byte, []byte, string, error) {
	p, err := json.MarshalIndent(priv, "", "  ")
	if err != nil {
		return nil, nil, "", err
	}
	q, err := json.MarshalIndent(pub, "", "  ")
	return p, q, kid, err
}

func isTokenAlg(a token.Alg) bool {
	for _, b := range token.Algs() {
		if a == b {
			return true
		}
	}
	return false
}

func algList() string {
	var names []string
	for _, a := range seal.Algs() {
		if !a.KeyEncryption() {
			names = append(names, string(a))
		}
	}
	names = append(names, "HPKE-n-KE")
	for _, a := range token.Algs() {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}
