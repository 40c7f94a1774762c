package seal

import (
	"encoding/json"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// OpenFlattened decrypts a JWE in flattened JSON serialization
// (RFC 7516 §7.2.2), including one with a JWE AAD ("aad"). Unprotected
// headers are not supported: every header parameter this package reads
// must be integrity protected. Its size is capped as Open's is.
func OpenFlattened(keys *KeySet, jwe []byte) (*Opened, error) {
	if len(jwe) > MaxEnvelopeSize {
		return nil, errEnvelopeTooLarge
	}
	p, err := parseFlattened(jwe)
	if err != nil {
		return nil, err
	}
	return openJWE(keys, p)
}

// flattenedMembers are the members a flattened JWE may have; "header",
// "unprotected" and "recipients" are refused.
var flattenedMembers = map[string]bool{
	"protected": true, "encrypted_key": true, "iv": true,
	"ciphertext": true, "tag": true, "aad": true,
}

func parseFlattened(data []byte) (*jweParts, error) {
	names, err := strict.Object(data)
	if err != nil {
		return nil, err
	}
	hasAAD := false
	for _, n := range names {
		switch {
		case n == "header" || n == "unprotected" || n == "recipients":
			return nil, fmt.Errorf("%w: JWE member %q", ErrUnsupported, n)
		case !flattenedMembers[n]:
			return nil, fmt.Errorf("%w: unknown JWE member %q", ErrMalformed, n)
		case n == "aad":
			hasAAD = true
		}
	}
	var j struct {
		Protected    string `json:"protected"`
		EncryptedKey string `json:"encrypted_key"`
		IV           string `json:"iv"`
		Ciphertext   string `json:"ciphertext"`
		Tag          string `json:"tag"`
		AAD          string `json:"aad"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("%w: JWE: %v", ErrMalformed, err)
	}
	if j.Protected == "" {
		return nil, fmt.Errorf("%w: JWE has no protected header", ErrMalformed)
	}
	return &jweParts{
		protected: j.Protected, encryptedKey: j.EncryptedKey, iv: j.IV,
		ciphertext: j.Ciphertext, tag: j.Tag, aad: j.AAD, hasAAD: hasAAD,
	}, nil
}
