package seal

import (
	"os"

	"github.com/sealjwt/sealjwt/internal/strict"
)

func strictDecodeForTest(s string) ([]byte, error) { return strict.Base64(s) }

// readVectorFileOptional reads a vector file for fuzz seeds; fuzzing runs
// with the generated seeds alone when the shared vectors are absent.
func readVectorFileOptional(path string) ([]byte, error) { return os.ReadFile(path) }
