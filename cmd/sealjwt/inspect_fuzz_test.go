package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzInspect feeds arbitrary input to inspect's decoder and printer: it
// reads attacker bytes, so it must fail cleanly and never panic.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJIUEtFLTMifQ.AA..AA.",
		"eyJhbGciOiJFZERTQSJ9.eyJleHAiOjF9.AA",
		"a.b.c", "....", "", strings.Repeat(".", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := decodeCompact(in)
		if err != nil {
			return
		}
		v.print(io.Discard, time.Unix(1_800_000_000, 0))
	})
}

// FuzzInspectHead feeds arbitrary bytes to the reader of a sealed file's
// or stream's head and its printer: a length it cannot hold, a JSON
// recipients list or an envelope, all attacker bytes.
func FuzzInspectHead(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Add([]byte("\x00\x00\x00\x0eeyJhbGciOiJ9.."))
	f.Add([]byte("\x00\x00\x00\x78" + `{"protected":"eyJlbmMiOiJBMjU2R0NNIn0","recipients":[{"header":{"alg":"HPKE-3-KE","kid":"a","ek":""},"encrypted_key":""}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := readSealedHead(bytes.NewReader(in))
		if err != nil {
			return
		}
		v.print(io.Discard, time.Unix(1_800_000_000, 0))
	})
}
