package sealjwt

import (
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A Message is an opened and verified envelope: the registered claims
// (Issuer, Subject, Audience, IssuedAt, ExpiresAt, NotBefore, ID) and the
// signing key's kid and alg, through the embedded token.Verified, and the
// application claims through Decode.
type Message struct {
	*token.Verified
	// Envelope is the verified protected header of the envelope: the
	// suite and the kid of our key it was sealed to.
	Envelope seal.Header
}

// Binary carries bytes in a claim as unpadded base64url, decoded strictly.
type Binary []byte

// MarshalJSON encodes b as a base64url JSON string.
func (b Binary) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strict.Encode(b) + `"`), nil
}

// UnmarshalJSON decodes a base64url JSON string, refusing padding and any
// non-canonical form.
func (b *Binary) UnmarshalJSON(data []byte) error {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("%w: binary claim is not a string", ErrClaims)
	}
	v, err := strict.Base64(string(data[1 : len(data)-1]))
	if err != nil {
		return err
	}
	*b = v
	return nil
}
