package main

import (
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
