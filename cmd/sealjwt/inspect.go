package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/internal/strict"
)

var inspectCmd = cli.Command{
	Name: "sealjwt inspect",
	Args: "[--key RECIPIENT.jwk] [FILE | ENVELOPE-OR-TOKEN]",
	Summary: `Decodes the headers of an envelope (JWE) or a signed token (JWS), and the
claims of a signed token, WITHOUT verifying anything: anyone can write
these bytes. It never decrypts an envelope's payload (use 'sealjwt open'
with the receiver's key). Input is the argument (a path, or the envelope
itself) or stdin.
For a sealed file or stream (seal --file, seal --stream) it reads only the
head, however large the data after it: a file's recipients (kids and
suites), a stream's envelope header. With --key (a recipient's private
key; repeatable), it also decrypts the head and shows the signed token
inside: who says they sealed it (iss, the signing kid) and when (iat),
still UNVERIFIED.`,
	Examples: `sealjwt inspect < envelope.txt
  sealjwt inspect db.dump.sealed
  sealjwt inspect --key recovery.jwk db.dump.sealed`,
}

// maxInspect caps the input before anything is decoded.
const maxInspect = 1 << 20

func runInspect(e env, args []string) int {
	fs := inspectCmd.NewFlagSet()
	var key cli.PathsFlag
	fs.Var(&key, "key", "a recipient's private key: JWK, JWKS, PEM or DER `FILE[:ALG]`, or a pkcs11: URI, to decrypt a sealed head; repeatable")
	return inspectCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		in, closeIn, err := inspectInput(e, rest)
		if err != nil {
			return cli.Usagef("%v", err)
		}
		defer closeIn()
		if isSealedHead(in) {
			return inspectSealedHead(e, in, key)
		}
		if len(key) > 0 {
			return cli.Usagef("--key is for the head of a sealed file or stream")
		}
		s, err := readCompact(in, nil, "envelope or token")
		if err != nil {
			return err
		}
		v, err := decodeCompact(s)
		if err != nil {
			return err
		}
		v.print(e.stdout, time.Now())
		return nil
	})
}

// inspectSealedHead prints the head of a sealed file or stream, and with
// keys the signed token inside it.
func inspectSealedHead(e env, in io.Reader, keyPaths []string) error {
	v, err := readSealedHead(in)
	if err != nil {
		return err
	}
	now := time.Now()
	v.print(e.stdout, now)
	if len(keyPaths) == 0 {
		return nil
	}
	keys, err := cli.SealKeysFrom(keyPaths)
	if err != nil {
		return err
	}
	return v.printSigned(e.stdout, keys, now)
}

// compactView is a compact JWS or JWE taken apart without any key.
type compactView struct {
	size    int
	sealed  bool            // a JWE: 5 parts
	header  json.RawMessage // the protected header
	claims  json.RawMessage // JWS only
	enc     int             // JWE: encapsulated key (or encrypted key) bytes
	cipher  int             // JWE: ciphertext bytes
	sigSize int             // JWS: signature bytes
}

// decodeCompact splits and decodes a compact serialization. Only the
// shape is checked: exact part counts, strict base64url, JSON objects
// without duplicate members.
func decodeCompact(s string) (*compactView, error) {
	if len(s) > maxInspect {
		return nil, fmt.Errorf("input is larger than %d bytes", maxInspect)
	}
	var seg [5]string
	n := strict.Split(s, seg[:])
	if n != 3 && n != 5 {
		return nil, fmt.Errorf("not a compact JWS (3 parts) or JWE (5 parts): %s parts", partCount(n, len(seg)))
	}
	parts := seg[:n]
	v := &compactView{size: len(s), sealed: n == 5}
	var err error
	if v.header, err = decodeObject(parts[0], "header"); err != nil {
		return nil, err
	}
	if v.sealed {
		return v, v.sizes(parts)
	}
	if v.claims, err = decodeObject(parts[1], "claims"); err != nil {
		return nil, err
	}
	sig, err := strict.Base64(parts[2])
	v.sigSize = len(sig)
	return v, err
}

// partCount is n, or "more than max" when Split stopped counting.
func partCount(n, max int) string {
	if n > max {
		return fmt.Sprintf("more than %d", max)
	}
	return strconv.Itoa(n)
}

// sizes records the lengths of the JWE parts, checking their encoding.
func (v *compactView) sizes(parts []string) error {
	for i, n := range []*int{&v.enc, nil, &v.cipher, nil} {
		b, err := strict.Base64(parts[i+1])
		if err != nil {
			return fmt.Errorf("JWE part %d: %w", i+2, err)
		}
		if n != nil {
			*n = len(b)
		}
	}
	return nil
}

// keyPart names the second JWE part: the HPKE encapsulated key in
// integrated mode, an encrypted content key in key encryption mode.
func (v *compactView) keyPart() string {
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(v.header, &h) == nil && strings.HasSuffix(h.Alg, "-KE") {
		return "encrypted key"
	}
	return "encapsulated key"
}

func decodeObject(part, name string) (json.RawMessage, error) {
	raw, err := strict.Base64(part)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := strict.Object(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return raw, nil
}

func (v *compactView) print(w io.Writer, now time.Time) {
	fmt.Fprintln(w, "UNVERIFIED: nothing below was checked; anyone could have written it.")
	if v.sealed {
		fmt.Fprintf(w, "kind: JWE (sealed envelope), %d bytes\n", v.size)
	} else {
		fmt.Fprintf(w, "kind: JWS (signed token, not encrypted), %d bytes\n", v.size)
	}
	fmt.Fprintf(w, "protected header:\n%s\n", indent(v.header))
	if v.sealed {
		fmt.Fprintf(w, "%s: %d bytes\nciphertext: %d bytes\n", v.keyPart(), v.enc, v.cipher)
		fmt.Fprintln(w, "payload: sealed; not decrypted (use 'sealjwt open' with the receiver's key)")
		return
	}
	fmt.Fprintf(w, "claims (UNVERIFIED):\n%s\n", indent(v.claims))
	printTimes(w, v.claims, now)
	fmt.Fprintf(w, "signature: %d bytes (not verified; use 'sealjwt verify')\n", v.sigSize)
}

// printTimes spells out the NumericDate claims, which are hard to read.
func printTimes(w io.Writer, claims json.RawMessage, now time.Time) {
	var t struct {
		Iat, Nbf, Exp *float64
	}
	if json.Unmarshal(claims, &t) != nil {
		return
	}
	for _, c := range []struct {
		name string
		v    *float64
	}{{"iat", t.Iat}, {"nbf", t.Nbf}, {"exp", t.Exp}} {
		if c.v != nil {
			at := time.Unix(int64(*c.v), 0).UTC()
			fmt.Fprintf(w, "%s: %s (%s)\n", c.name, at.Format(time.RFC3339), relative(at, now))
		}
	}
}

func relative(at, now time.Time) string {
	d := at.Sub(now).Round(time.Second)
	if d >= 0 {
		return "in " + d.String()
	}
	return (-d).String() + " ago"
}

func indent(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw)
	}
	return buf.String()
}

func compactJSON(raw json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}
