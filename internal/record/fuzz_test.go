package record

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// FuzzReader feeds arbitrary streams to the reader. Whatever the input, it
// must not panic, must fail only with the package's errors, and must behave
// the same whichever way the plaintext is drained.
func FuzzReader(f *testing.F) {
	for _, tc := range []struct{ size, chunk, flushEvery int }{
		{0, 0, 0}, {1, 0, 0}, {31, 0, 0}, {32, 0, 0}, {33, 0, 0}, {100, 7, 2}, {200, 32, 1},
	} {
		f.Add(sealStream(f, pattern(tc.size), 32, tc.chunk, tc.flushEvery))
	}
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, in []byte) {
		var first []byte
		var firstErr error
		for i, name := range []string{"read=small", "read=large", "read=copy"} {
			got, err := openStream(t, in, testPrefix, 64, readers[name])
			if err != nil && !knownError(err) {
				t.Fatalf("%s: unexpected error %v", name, err)
			}
			if len(got) > len(in) {
				t.Fatalf("%s: %d bytes of plaintext from %d bytes of input", name, len(got), len(in))
			}
			if i == 0 {
				first, firstErr = got, err
				continue
			}
			if !bytes.Equal(got, first) || fmt.Sprint(err) != fmt.Sprint(firstErr) {
				t.Fatalf("%s disagrees with read=small: %d bytes, %v vs %d bytes, %v", name, len(got), err, len(first), firstErr)
			}
		}
	})
}

func knownError(err error) bool {
	for _, e := range []error{ErrTruncated, ErrAuth, ErrMalformed, ErrTrailingData, ErrTooLarge} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
