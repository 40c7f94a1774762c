package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var keysetCmd = cli.Command{
	Name: "sealjwt keyset",
	Args: "add|drop|list|pub --set SET.jwks [args]",
	Summary: `Manages a JWKS of private keys (sealing or signing, one kind per set), so
that rotation needs no hand-written JSON. The first key is the primary: the
one senders seal to, or that signs.
  add --set SET.jwks [--primary] KEY.jwk...  add keys (the set is created if
      absent); --primary puts them first
  drop --set SET.jwks KID...                 remove keys by kid
  list --set SET.jwks                        print each key's kid and alg
  pub --set SET.jwks [-o OUT] [--force]      write the public set (JWKS)
Every change is checked by parsing the whole set before it is written, and
the set file keeps mode 0600.`,
	Examples: `sealjwt keygen --alg HPKE-9 --out receiver-2027
  sealjwt keyset add --set receiver.jwks --primary receiver-2027.jwk
  sealjwt keyset pub --set receiver.jwks -o receiver.pub.jwks --force
  sealjwt keyset drop --set receiver.jwks OLD-KID`,
}

func runKeyset(e env, args []string) int {
	fs := keysetCmd.NewFlagSet()
	set := fs.String("set", "", "the private JWKS `FILE`")
	primary := fs.Bool("primary", false, "add: put the new keys first")
	out := fs.String("o", "", "pub: write to `FILE` (default stdout)")
	force := fs.Bool("force", false, "pub: overwrite -o")
	if len(args) == 0 {
		return keysetCmd.Fail(e.stderr, cli.Usagef("a subcommand is required: add, drop, list or pub"))
	}
	verb, args := args[0], args[1:]
	if verb == "-h" || verb == "--help" || verb == "help" {
		keysetCmd.PrintHelp(e.stdout, fs)
		return cli.ExitOK
	}
	return keysetCmd.Run(fs, kidsAsArguments(fs, args), e.stdout, e.stderr, func(rest []string) error {
		if *set == "" {
			return cli.Usagef("--set is required")
		}
		switch verb {
		case "add":
			return keysetAdd(*set, rest, *primary)
		case "drop":
			return keysetDrop(*set, rest)
		case "list":
			return keysetList(e.stdout, *set)
		case "pub":
			return keysetPub(e.stdout, *set, *out, *force)
		}
		return cli.Usagef("unknown subcommand %q: want add, drop, list or pub", verb)
	})
}

// kidsAsArguments ends the flags before the first word that looks like a
// flag but names none: a thumbprint kid may begin with '-' (base64url),
// and drop must take it as a kid, not refuse it as an unknown flag.
func kidsAsArguments(fs *flag.FlagSet, args []string) []string {
	for i, a := range args {
		if a == "--" {
			return args
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && len(a) > 1 && fs.Lookup(name) == nil && name != "h" && name != "help" {
			return slices.Concat(args[:i], []string{"--"}, args[i:])
		}
	}
	return args
}

// rawJWK is one key of a set, kept as written; kid and alg are read
// for listing and dropping.
type rawJWK struct {
	raw      json.RawMessage
	kid, alg string
	private  bool
}

// readRawSet reads a JWK or JWKS file into its keys; missing is a
// missing file's result when allowed.
func readRawSet(path string, missingOK bool) ([]rawJWK, error) {
	data, err := cli.ReadFile(path, nil)
	if errors.Is(err, os.ErrNotExist) && missingOK {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	keys, err := cli.JWKs(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]rawJWK, len(keys))
	for i, k := range keys {
		var m struct{ Kid, Alg, D, Priv string }
		if err := json.Unmarshal(k, &m); err != nil {
			return nil, fmt.Errorf("%s: key %d: %v", path, i, err)
		}
		out[i] = rawJWK{raw: k, kid: m.Kid, alg: m.Alg, private: m.D != "" || m.Priv != ""}
	}
	return out, nil
}

// writeRawSet checks that keys form a valid private set of one kind, by
// parsing it as the commands will, then writes it with mode 0600.
func writeRawSet(path string, keys []rawJWK) error {
	if len(keys) == 0 {
		return cli.Usagef("a key set needs at least one key; delete %s instead", path)
	}
	raws := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		raws[i] = k.raw
	}
	data, err := json.MarshalIndent(struct {
		Keys []json.RawMessage `json:"keys"`
	}{raws}, "", "  ")
	if err != nil {
		return err
	}
	if cli.IsSealKey(data) {
		_, err = seal.ParseKeySet(data)
	} else {
		_, err = token.ParseKeySet(data)
	}
	if err != nil {
		return fmt.Errorf("the set would not be valid, nothing written: %w", err)
	}
	return cli.WritePrivate(path, data, true)
}

func keysetAdd(path string, files []string, primary bool) error {
	if len(files) == 0 {
		return cli.Usagef("add: give the private key files to add")
	}
	keys, err := readRawSet(path, true)
	if err != nil {
		return err
	}
	var added []rawJWK
	for _, f := range files {
		k, err := readRawSet(f, false)
		if err != nil {
			return err
		}
		for _, one := range k {
			if !one.private {
				return cli.Usagef("%s: key %s is public; a key set holds private keys (write the public set with 'keyset pub')", f, one.kid)
			}
		}
		added = append(added, k...)
	}
	if primary {
		keys = append(added, keys...)
	} else {
		keys = append(keys, added...)
	}
	return writeRawSet(path, keys)
}

func keysetDrop(path string, kids []string) error {
	if len(kids) == 0 {
		return cli.Usagef("drop: give the kids to remove (see 'keyset list')")
	}
	keys, err := readRawSet(path, false)
	if err != nil {
		return err
	}
	for _, kid := range kids {
		i := slices.IndexFunc(keys, func(k rawJWK) bool { return k.kid == kid })
		if i < 0 {
			return fmt.Errorf("%s has no key with kid %q; nothing written", path, kid)
		}
		keys = slices.Delete(keys, i, i+1)
	}
	return writeRawSet(path, keys)
}

func keysetList(w io.Writer, path string) error {
	keys, err := readRawSet(path, false)
	if err != nil {
		return err
	}
	for i, k := range keys {
		role := "older"
		if i == 0 {
			role = "primary"
		}
		fmt.Fprintf(w, "%-7s  kid %s  alg %s\n", role, k.kid, k.alg)
	}
	return nil
}

func keysetPub(stdout io.Writer, path, out string, force bool) error {
	keys, err := readPublic([]string{path})
	if err != nil {
		return err
	}
	pub, err := keys.render("jwk")
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		_, err = stdout.Write(pub)
		return err
	}
	return cli.WritePublic(out, bytes.TrimSuffix(pub, []byte("\n")), force)
}
