package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var pubCmd = cli.Command{
	Name: "sealjwt pub",
	Args: "[--format jwk|pem] KEY-FILE[:ALG]...",
	Summary: `Prints the public keys of one or more key files, the first key first: the
first key of a receiver's JWKS is the one senders seal to. A file may hold a
private or public key as a JWK, a JWKS, PEM or DER (PKCS#8, PKCS#1, SEC 1,
PKIX) or an X.509 certificate, so pub also converts between the formats:
--format jwk (default) prints a JWKS, --format pem a PKIX "PUBLIC KEY" block
per key. All keys must be of one kind, sealing or signing. An EC key in PEM
can do either: name its alg as FILE:ALG (ES256, HPKE-0, HPKE-7, ...). A PEM
HPKE key otherwise gets its curve's default alg (P-256 HPKE-0, P-384 HPKE-1,
P-521 HPKE-2, X25519 HPKE-3, X448 HPKE-5, ML-KEM-768 HPKE-12, ML-KEM-1024
HPKE-13); an RSA key needs RS256 or PS256 named. The kid of a PEM key is its
RFC 7638 thumbprint. HS256 secrets have no public form and are refused.`,
	Examples: `sealjwt pub receiver-2026.jwk receiver-2025.jwk > jwks.json
  sealjwt pub --format pem sender.jwk > sender.pub.pem
  sealjwt pub receiver.pem:HPKE-7 > receiver.pub.jwk`,
}

func runPub(e env, args []string) int {
	fs := pubCmd.NewFlagSet()
	format := fs.String("format", "jwk", "output `FORMAT`: jwk (a JWKS) or pem (PKIX PUBLIC KEY blocks)")
	return pubCmd.Run(fs, args, e.stdout, e.stderr, func(files []string) error {
		if len(files) == 0 {
			return cli.Usagef("at least one key file is required")
		}
		if *format != "jwk" && *format != "pem" {
			return cli.Usagef("--format is jwk or pem, not %q", *format)
		}
		keys, err := readPublic(files)
		if err != nil {
			return err
		}
		out, err := keys.render(*format)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(out)
		return err
	})
}

// publicKeys is every public key read, of one kind.
type publicKeys struct {
	sealing bool
	seal    []*seal.PublicKey
	sign    []*token.VerifyingKey
}

// readPublic reads each file's public keys, refusing a mix of sealing and
// signing keys with the names of two files that differ.
func readPublic(files []string) (*publicKeys, error) {
	kinds := map[bool]string{true: "a sealing key (HPKE-*)", false: "a signing key"}
	var all publicKeys
	for i, f := range files {
		k, err := cli.ReadPublicKeys(f)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			all.sealing = k.Sealing
		} else if k.Sealing != all.sealing {
			return nil, cli.Usagef("keys of two kinds: %s holds %s, %s holds %s; give keys of one kind", files[0], kinds[all.sealing], f, kinds[k.Sealing])
		}
		all.seal = append(all.seal, k.Seal...)
		all.sign = append(all.sign, k.Sign...)
	}
	return &all, nil
}

func (k *publicKeys) render(format string) ([]byte, error) {
	if format == "pem" {
		var b bytes.Buffer
		for _, p := range k.pems() {
			out, err := p.MarshalPEM()
			if err != nil {
				return nil, err
			}
			b.Write(out)
		}
		return b.Bytes(), nil
	}
	var set json.Marshaler
	var err error
	if k.sealing {
		set, err = seal.NewPublicKeySet(k.seal...)
	} else {
		set, err = token.NewVerifyingKeySet(k.sign...)
	}
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(set, "", "  ")
	return fmt.Appendf(nil, "%s\n", out), err
}

func (k *publicKeys) pems() []interface{ MarshalPEM() ([]byte, error) } {
	var out []interface{ MarshalPEM() ([]byte, error) }
	for _, p := range k.seal {
		out = append(out, p)
	}
	for _, p := range k.sign {
		out = append(out, p)
	}
	return out
}
