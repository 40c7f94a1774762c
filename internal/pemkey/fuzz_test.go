package pemkey

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// FuzzParse: no input panics, and every refusal wraps a sentinel.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/pem/*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data)
		if err != nil {
			if !errors.Is(err, errs.ErrMalformed) && !errors.Is(err, errs.ErrUnsupported) && !errors.Is(err, errs.ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if (k.Private == nil) == (k.Public == nil) {
			t.Fatalf("want exactly one of private and public, got %+v", k)
		}
	})
}
