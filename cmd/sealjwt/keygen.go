package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var keygenCmd = cli.Command{
	Name: "sealjwt keygen",
	Args: "[--alg ALG] [--format jwk|pem] [--out NAME] [--force]",
	Summary: `Generates a key and writes NAME.jwk (the private JWK, mode 0600) and
NAME.pub.jwk (the public JWK). A sealing alg (HPKE-0 ... HPKE-13, and the
HPKE-n-KE variants) makes a receiver key; a signing alg (EdDSA, ES256,
ES384, PS256, RS256, ML-DSA-44/65/87, HS256) makes a sender key. An HS256
key is a shared secret: it has no public half, so only NAME.jwk is written.
With --format pem, writes NAME.pem (PKCS#8) and NAME.pub.pem (PKIX) instead,
for the algs with a standard encoding: EdDSA, ES256, ES384, PS256, RS256,
ML-DSA-44/65/87, and HPKE-0 ... HPKE-7, HPKE-12, HPKE-13 (not HS256, nor the
hybrid and X-Wing suites). A PEM file keeps no alg: give it again where the
key is read (FILE:ALG) unless it is its curve's default.
Existing files are never overwritten without --force.`,
	Examples: `sealjwt keygen --alg HPKE-9 --out receiver
sealjwt keygen --alg EdDSA --out sender
sealjwt keygen --alg ES256 --format pem --out sender`,
}

func runKeygen(e env, args []string) int {
	fs := keygenCmd.NewFlagSet()
	alg := fs.String("alg", string(seal.DefaultAlg), "algorithm: "+algList())
	out := fs.String("out", "key", "file name prefix: writes `NAME`.jwk and NAME.pub.jwk")
	force := fs.Bool("force", false, "overwrite existing files")
	format := fs.String("format", "jwk", "file `FORMAT`: jwk, or pem (PKCS#8 and PKIX)")
	return keygenCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		if *format != "jwk" && *format != "pem" {
			return cli.Usagef("--format is jwk or pem, not %q", *format)
		}
		priv, pub, kid, err := generate(*alg, *format)
		if err != nil {
			return err
		}
		ext := "." + *format
		if err := cli.WritePrivate(*out+ext, priv, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s%s (private, mode 0600; keep it secret)\n", *out, ext)
		if pub != nil {
			if err := cli.WritePublic(*out+".pub"+ext, pub, *force); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s.pub%s (public)\n", *out, ext)
		}
		fmt.Fprintf(e.stdout, "alg %s, kid %s\n", *alg, kid)
		return nil
	})
}

// generate makes a key with the package that owns alg and returns its
// private and public key files in format (pub is nil for a shared secret)
// and its kid.
func generate(alg, format string) (priv, pub []byte, kid string, err error) {
	if a := seal.Alg(alg); a.Supported() {
		k, err := seal.GenerateKey(a)
		if err != nil {
			return nil, nil, "", err
		}
		return encodePair(format, k, k.Public(), k.KID())
	}
	a := token.Alg(alg)
	if !isTokenAlg(a) {
		return nil, nil, "", cli.Usagef("unknown alg %q; use one of %s", alg, algList())
	}
	if a == token.HS256 && format == "pem" {
		return nil, nil, "", cli.Usagef("an HS256 secret has no PEM form; use --format jwk")
	}
	k, err := token.GenerateKey(a)
	if err != nil {
		return nil, nil, "", err
	}
	if a == token.HS256 {
		priv, err := json.MarshalIndent(k, "", "  ")
		return priv, nil, k.KID(), err
	}
	return encodePair(format, k, k.Verifying(), k.KID())
}

// keyFile is a key that writes itself as a JWK and as PEM.
type keyFile interface {
	json.Marshaler
	MarshalPEM() ([]byte, error)
}

func encodePair(format string, priv, pub keyFile, kid string) ([]byte, []byte, string, error) {
	if format == "pem" {
		p, err := priv.MarshalPEM()
		if err != nil {
			return nil, nil, "", err
		}
		q, err := pub.MarshalPEM()
		return bytes.TrimSuffix(p, []byte("\n")), bytes.TrimSuffix(q, []byte("\n")), kid, err
	}
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
