package seal

import "github.com/sealjwt/sealjwt/internal/strict"

func strictDecodeForTest(s string) ([]byte, error) { return strict.Base64(s) }
