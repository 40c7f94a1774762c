package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// Key encryption mode (draft-ietf-jose-hpke-encrypt-20 §6): HPKE encrypts
// a random content encryption key (CEK) with info = Recipient_structure and
// an empty aad; the content is encrypted with AES-GCM under the CEK as in
// RFC 7516 §5.1, with the JWE AAD computed as in integrated mode.

const (
	gcmIVSize  = 12 // RFC 7518 §5.3: 96-bit IV
	gcmTagSize = 16 // RFC 7518 §5.3: 128-bit tag
)

// contentKeySize returns the CEK length of a supported JWE "enc".
func contentKeySize(enc string) (int, bool) {
	switch enc {
	case "A128GCM":
		return 16, true
	case "A256GCM":
		return 32, true
	}
	return 0, false
}

// recipientStructure is the HPKE info of key encryption (draft §6.1):
// ASCII("JOSE-HPKE rcpt") || 0xFF || ASCII(enc) || 0xFF || recipient_extra_info,
// with recipient_extra_info empty.
func recipientStructure(enc string) []byte {
	const label = "JOSE-HPKE rcpt"
	b := make([]byte, 0, len(label)+len(enc)+2)
	b = append(b, label...)
	b = append(b, 0xff)
	b = append(b, enc...)
	return append(b, 0xff)
}

func sealKeyEncryption(pub *PublicKey, plaintext []byte, o sealOptions) (string, exporter, error) {
	enc := pub.spec.contentEnc
	n, _ := contentKeySize(enc)
	cek := make([]byte, n+gcmIVSize)
	if _, err := rand.Read(cek); err != nil {
		return "", nil, err
	}
	cek, iv := cek[:n], cek[n:]
	ek, wrapped, ctx, err := pub.kem.seal(recipientStructure(enc), nil, cek)
	if err != nil {
		return "", nil, err
	}
	hdr := encodeHeader(headerFields{alg: pub.spec.alg, kid: pub.kid, cty: o.cty, enc: enc, ek: strict.Encode(ek)})
	gcm, err := newGCM(cek)
	if err != nil {
		return "", nil, err
	}
	sealed := gcm.Seal(nil, iv, plaintext, []byte(hdr))
	ct, tag := sealed[:len(sealed)-gcmTagSize], sealed[len(sealed)-gcmTagSize:]
	env, err := joinCompact(hdr, wrapped, iv, ct, tag)
	return env, ctx, err
}

func openKeyEncryption(key *PrivateKey, h *parsedHeader, p *jweParts, aad []byte) (*Opened, error) {
	n, _ := contentKeySize(h.Enc) // checked by parseHeader
	ek, err := decodeExact(h.ek, kemSizes[h.spec.suite.kem].enc)
	if err != nil {
		return nil, err
	}
	wrapped, err := decodeExact(p.encryptedKey, n+aeadTagSize)
	if err != nil {
		return nil, err
	}
	iv, err := decodeExact(p.iv, gcmIVSize)
	if err != nil {
		return nil, err
	}
	tag, err := decodeExact(p.tag, gcmTagSize)
	if err != nil {
		return nil, err
	}
	ct, err := strict.Base64(p.ciphertext)
	if err != nil {
		return nil, err
	}
	cek, ctx, err := openOnce(key.kem, ek, recipientStructure(h.Enc), nil, wrapped)
	if err != nil || len(cek) != n {
		return nil, ErrDecryption
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, ErrDecryption
	}
	pt, err := gcm.Open(nil, iv, append(ct, tag...), aad)
	if err != nil {
		return nil, ErrDecryption
	}
	return &Opened{Plaintext: pt, Header: h.Header, Context: &Context{exp: ctx, alg: key.Alg()}}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return cipher.NewGCM(block)
}
