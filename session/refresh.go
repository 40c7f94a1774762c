package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// A refresh token is "<id>.<secret>": a 128-bit id and a 256-bit secret,
// each unpadded base64url. The id finds the record; only the SHA-256 of
// the secret is stored, so a copy of the store mints no session.
const (
	refreshIDSize     = 16
	refreshSecretSize = 32
	// refreshTokenLen is the length of every refresh token: 22 + 1 + 43.
	refreshTokenLen = (refreshIDSize*8+5)/6 + 1 + (refreshSecretSize*8+5)/6
)

// newRefresh makes a fresh refresh token and the record a Store keeps.
func newRefresh(familyID string) (string, Refresh) {
	var secret [refreshSecretSize]byte
	_, _ = rand.Read(secret[:]) // never fails: crypto/rand aborts the process instead
	id := randomID()
	return id + "." + strict.Encode(secret[:]), Refresh{ID: id, FamilyID: familyID, Hash: sha256.Sum256(secret[:])}
}

// Labels of the successor derivation: HMAC-SHA256 keyed by the presented
// 256-bit secret, over a label and the RequestID of the rotation that
// consumed it. A retry of the same request, or another request within the
// grace window (given the first one's RequestID by the store), computes
// the same successor; without the RequestID, which the store reveals only
// to a holder of the secret, an old secret predicts nothing.
const (
	successorIDLabel     = "sealjwt refresh successor id\x00"
	successorSecretLabel = "sealjwt refresh successor secret\x00"
)

// successor derives the refresh token that follows secret when request
// consumes it, and the record a Store keeps.
func successor(secret []byte, request RequestID) (string, Refresh) {
	id := derive(secret, successorIDLabel, request)[:refreshIDSize]
	next := derive(secret, successorSecretLabel, request)
	return strict.Encode(id) + "." + strict.Encode(next), Refresh{ID: strict.Encode(id), Hash: sha256.Sum256(next)}
}

func derive(key []byte, label string, request RequestID) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	mac.Write(request[:])
	return mac.Sum(nil)
}

// newRequestID draws the id of one rotation request.
func newRequestID() RequestID {
	var r RequestID
	_, _ = rand.Read(r[:]) // never fails: crypto/rand aborts the process instead
	return r
}

// randomID is 128 random bits, base64url: refresh token and family ids.
func randomID() string {
	var b [refreshIDSize]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand aborts the process instead
	return strict.Encode(b[:])
}

// parseRefresh splits a refresh token into its id and the hash of its
// secret. The length is checked before anything is decoded.
func parseRefresh(tok string) (id string, h SecretHash, err error) {
	id, secret, err := splitRefresh(tok)
	if err != nil {
		return "", h, err
	}
	return id, sha256.Sum256(secret), nil
}

// splitRefresh splits a refresh token into its id and its secret.
func splitRefresh(tok string) (id string, secret []byte, err error) {
	if len(tok) != refreshTokenLen {
		return "", nil, fmt.Errorf("%w: refresh token of %d bytes, want %d", ErrInvalidRefresh, len(tok), refreshTokenLen)
	}
	id, secretSeg, ok := strings.Cut(tok, ".")
	if !ok || len(id) != (refreshIDSize*8+5)/6 {
		return "", nil, fmt.Errorf("%w: want <id>.<secret>", ErrInvalidRefresh)
	}
	if _, err := strict.Base64(id); err != nil {
		return "", nil, fmt.Errorf("%w: id: %v", ErrInvalidRefresh, err)
	}
	secret, err = strict.Base64(secretSeg)
	if err != nil {
		return "", nil, fmt.Errorf("%w: secret: %v", ErrInvalidRefresh, err)
	}
	return id, secret, nil
}
