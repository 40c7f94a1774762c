package transport

import (
	"crypto/hkdf"
	"crypto/sha256"
	"testing"
)

// deriveForTest re-derives the response key independently of
// responseKeys, from the protocol description.
func deriveForTest(t *testing.T, secret, salt []byte) (key, nonce []byte) {
	t.Helper()
	prk, err := hkdf.Extract(sha256.New, secret, salt)
	if err != nil {
		t.Fatal(err)
	}
	key, _ = hkdf.Expand(sha256.New, prk, "key", len(secret))
	nonce, _ = hkdf.Expand(sha256.New, prk, "nonce", 12)
	return key, nonce
}
