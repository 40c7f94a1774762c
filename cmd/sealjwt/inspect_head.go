package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/seal"
)

// A sealed file or stream starts with the big-endian length of its head,
// whose first byte is 0 for any head under 16 MiB; a compact envelope or
// token starts with "eyJ". inspect tells them apart by that byte and reads
// only the head, however large the data after it.

// inspectInput opens the input of inspect: a path, or stdin; an argument
// that is no file is taken as an envelope or token itself.
func inspectInput(e env, rest []string) (*bufio.Reader, func(), error) {
	if len(rest) > 1 {
		return nil, nil, fmt.Errorf("give one file, envelope or token")
	}
	if len(rest) == 0 || rest[0] == "-" {
		return bufio.NewReader(e.stdin), func() {}, nil
	}
	f, err := os.Open(rest[0])
	if errors.Is(err, os.ErrNotExist) || (err == nil && strings.HasPrefix(rest[0], "eyJ")) {
		if f != nil {
			f.Close()
		}
		return bufio.NewReader(strings.NewReader(rest[0])), func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return bufio.NewReader(f), func() { f.Close() }, nil
}

// isSealedHead reports whether r starts with a length-prefixed head.
func isSealedHead(r *bufio.Reader) bool {
	b, err := r.Peek(1)
	return err == nil && b[0] == 0
}

// headView is the head of a sealed file or stream, read without a key.
type headView struct {
	size       int
	file       bool
	recipients []seal.Recipient // a file's, UNVERIFIED
	envelope   *compactView     // a stream's
	raw        []byte
}

// readSealedHead reads the length and the head, and nothing after it.
func readSealedHead(r io.Reader) (*headView, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("reading the head length: %w", err)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size == 0 || size > seal.MaxGeneralSize {
		return nil, fmt.Errorf("a head of %d bytes: want 1 to %d", size, seal.MaxGeneralSize)
	}
	raw := make([]byte, size)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("the head is cut short: %w", err)
	}
	v := &headView{size: int(size), raw: raw, file: raw[0] == '{'}
	var err error
	if v.file {
		v.recipients, err = seal.ParseGeneral(raw)
	} else {
		v.envelope, err = decodeCompact(string(raw))
	}
	return v, err
}

func (v *headView) print(w io.Writer, now time.Time) {
	fmt.Fprintln(w, "UNVERIFIED: nothing below was checked; anyone could have written it.")
	if !v.file {
		fmt.Fprintf(w, "kind: sealed stream (sealjwt seal --stream), head of %d bytes; the data after it was not read\n", v.size)
		v.envelope.print(w, now)
		return
	}
	fmt.Fprintf(w, "kind: sealed file (sealjwt seal --file), head of %d bytes; the data after it was not read\n", v.size)
	fmt.Fprintf(w, "recipients (%d):\n", len(v.recipients))
	for _, r := range v.recipients {
		fmt.Fprintf(w, "  kid %s  alg %s (%s)\n", r.KID, r.Alg, r.Alg.Suite())
	}
	fmt.Fprintln(w, "sender: sealed inside the head; give --key with a recipient's key to see who sealed it")
}

// printSigned decrypts the head with keys and prints the signed token
// inside, without verifying its signature: who says they sealed it.
func (v *headView) printSigned(w io.Writer, keys *seal.KeySet, now time.Time) error {
	var jws []byte
	if v.file {
		opened, err := seal.OpenGeneral(keys, v.raw)
		if err != nil {
			return err
		}
		jws = opened.Plaintext
	} else {
		opened, err := seal.Open(keys, string(v.raw))
		if err != nil {
			return err
		}
		jws = opened.Plaintext
	}
	tok, err := decodeCompact(string(jws))
	if err != nil || tok.sealed {
		return fmt.Errorf("the head does not hold a signed token: %v", err)
	}
	fmt.Fprintln(w, "decrypted with --key; the signature is NOT verified (use 'sealjwt open'):")
	fmt.Fprintf(w, "signed token header:\n%s\n", indent(tok.header))
	fmt.Fprintf(w, "claims (UNVERIFIED):\n%s\n", indent(tok.claims))
	printTimes(w, tok.claims, now)
	return nil
}
