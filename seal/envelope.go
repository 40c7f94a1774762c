package seal

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// Opened is the result of a successful Open.
type Opened struct {
	Plaintext []byte
	// Header is the protected header, verified: it was authenticated as
	// part of the decryption.
	Header Header
	// Context is the envelope's HPKE context on the recipient's side: it
	// derives the secrets that the sender's, from SealContext, derives.
	Context *Context
}

// A Context is the HPKE context of one envelope (RFC 9180 section 5.3),
// as its sender (SealContext) or its recipient (Opened.Context) holds it.
// Both sides derive the same secrets from it, and no one else can: keys
// for further data bound to the envelope. It cannot encrypt or decrypt.
type Context struct {
	exp exporter
	alg Alg
}

// Export derives length bytes for exporterContext, a label that must
// differ for every use of the secret.
func (c *Context) Export(exporterContext string, length int) ([]byte, error) {
	if c == nil || c.exp == nil {
		return nil, errNoContext
	}
	// RFC 9180 section 5.3 caps length at 255 times the KDF output size;
	// the API at 65535. Bounded before the backend sees it.
	if length < 0 || length > 0xffff {
		return nil, errExportLength
	}
	return c.exp.Export(exporterContext, length)
}

// KeySize is the key length of the envelope's AEAD: 16 bytes for
// AES-128-GCM, 32 for AES-256-GCM and ChaCha20Poly1305. Keys derived from
// the context use it, so as to match the suite's strength.
func (c *Context) KeySize() int {
	if sp, ok := lookupAlg(c.alg); ok && sp.suite.aead == aeadAES128GCM {
		return 16
	}
	return 32
}

var errNoContext = errors.New("seal: no HPKE context")

// Seal encrypts plaintext to pub and returns a JWE in compact
// serialization. The protected header holds alg and kid (and cty when
// WithContentType is given); for a key encryption alg also enc and ek.
func Seal(pub *PublicKey, plaintext []byte, opts ...SealOption) (string, error) {
	s, _, err := seal(pub, plaintext, buildSealOptions(opts))
	return s, err
}

// SealContext is Seal that also returns the sender's HPKE context, for
// deriving further secrets shared with the recipient (see Context).
func SealContext(pub *PublicKey, plaintext []byte, opts ...SealOption) (string, *Context, error) {
	s, exp, err := seal(pub, plaintext, buildSealOptions(opts))
	if err != nil {
		return "", nil, err
	}
	return s, &Context{exp: exp, alg: pub.Alg()}, nil
}

func seal(pub *PublicKey, plaintext []byte, o sealOptions) (string, exporter, error) {
	if pub == nil || pub.kem == nil {
		return "", nil, fmt.Errorf("%w: nil public key", ErrInvalidKey)
	}
	// Base64url makes the ciphertext at least 4/3 of the plaintext: refuse
	// before encrypting what no receiver would open.
	if strict.EncodedLen(len(plaintext)) > MaxEnvelopeSize {
		return "", nil, fmt.Errorf("%w: %d bytes of plaintext cannot fit an envelope of %d", ErrTooLarge, len(plaintext), MaxEnvelopeSize)
	}
	if pub.spec.keyEnc {
		return sealKeyEncryption(pub, plaintext, o)
	}
	hdr, aad := pub.header, pub.headerAAD
	switch o.cty {
	case "":
	case "JWT":
		hdr, aad = pub.jwtHeader, pub.jwtHeaderAAD
	default:
		hdr = encodeHeader(headerFields{alg: pub.spec.alg, kid: pub.kid, cty: o.cty})
		aad = []byte(hdr)
	}
	// Integrated encryption (draft §5): HPKE aad is ASCII(Encoded Protected
	// Header) (§7.1 step 15), info is empty, the encapsulated secret is the
	// JWE Encrypted Key, IV and tag are empty.
	enc, ct, ctx, err := pub.kem.seal(nil, aad, plaintext)
	if err != nil {
		return "", nil, err
	}
	env, err := joinCompact(hdr, enc, nil, ct, nil)
	return env, ctx, err
}

// joinCompact writes hdr.B64(a).B64(b)... in one allocation for the bytes
// and one for the string, refusing an envelope over MaxEnvelopeSize.
func joinCompact(hdr string, segs ...[]byte) (string, error) {
	n := len(hdr)
	for _, s := range segs {
		n += 1 + base64.RawURLEncoding.EncodedLen(len(s))
	}
	if n > MaxEnvelopeSize {
		return "", fmt.Errorf("%w: an envelope of %d bytes, the limit is %d", ErrTooLarge, n, MaxEnvelopeSize)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, hdr...)
	for _, s := range segs {
		buf = append(buf, '.')
		buf = base64.RawURLEncoding.AppendEncode(buf, s)
	}
	return string(buf), nil
}

// Open decrypts a compact JWE with the key its kid names in keys. The
// header's alg must be that key's alg. Any failure to decrypt is
// ErrDecryption, with no detail. An envelope over MaxEnvelopeSize is
// ErrTooLarge, before any parsing.
func Open(keys *KeySet, envelope string) (*Opened, error) {
	if len(envelope) > MaxEnvelopeSize {
		return nil, errEnvelopeTooLarge
	}
	p, ok := splitCompact(envelope)
	if !ok {
		return nil, errSegments
	}
	return openJWE(keys, &p)
}

var (
	errEnvelopeTooLarge = fmt.Errorf("%w: envelope exceeds the size limit", ErrTooLarge)
	errSegments         = fmt.Errorf("%w: a compact JWE has exactly five segments", ErrMalformed)
)

// jweParts are the base64url members of a JWE, in any serialization.
type jweParts struct {
	protected, encryptedKey, iv, ciphertext, tag string
	aad                                          string // JSON serialization only
	hasAAD                                       bool
}

// splitCompact splits a compact JWE into its five members.
func splitCompact(s string) (jweParts, bool) {
	var seg [5]string
	if strict.Split(s, seg[:]) != len(seg) {
		return jweParts{}, false
	}
	return jweParts{protected: seg[0], encryptedKey: seg[1], iv: seg[2], ciphertext: seg[3], tag: seg[4]}, true
}

// openJWE is decryption (draft §7.2) for both serializations.
func openJWE(keys *KeySet, p *jweParts) (*Opened, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrInvalidKey)
	}
	h, err := keys.header(p.protected)
	if err != nil {
		return nil, err
	}
	key, err := keyFor(keys, h)
	if err != nil {
		return nil, err
	}
	aad, err := contentAAD(p)
	if err != nil {
		return nil, err
	}
	if h.spec.keyEnc {
		return openKeyEncryption(key, h, p, aad)
	}
	if p.iv != "" || p.tag != "" {
		return nil, fmt.Errorf("%w: IV and tag must be empty in integrated encryption", ErrMalformed)
	}
	enc, err := decodeExact(p.encryptedKey, kemSizes[h.spec.suite.kem].enc)
	if err != nil {
		return nil, err
	}
	ct, err := decodeCiphertext(p.ciphertext)
	if err != nil {
		return nil, err
	}
	pt, ctx, err := openOnce(key.kem, enc, nil, aad, ct)
	if err != nil {
		return nil, ErrDecryption
	}
	return &Opened{Plaintext: pt, Header: h.Header, Context: &Context{exp: ctx, alg: key.Alg()}}, nil
}

// keyFor finds the key the header's kid names and insists that the header
// alg is that key's alg: the key decides how to decrypt, never the message.
func keyFor(keys *KeySet, h *parsedHeader) (*PrivateKey, error) {
	key, ok := keys.Lookup(h.KID)
	if !ok {
		return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, h.KID)
	}
	if key.spec != h.spec {
		return nil, fmt.Errorf("%w: header alg %s, key alg %s", ErrInvalidKey, h.Alg, key.Alg())
	}
	return key, nil
}

// contentAAD is the Additional Authenticated Data encryption parameter
// (draft §7.1 step 15, §7.2 step 16): ASCII(Encoded Protected Header), or
// ASCII(Encoded Protected Header || '.' || BASE64URL(JWE AAD)) when the JSON
// serialization carries an "aad" member.
func contentAAD(p *jweParts) ([]byte, error) {
	if !p.hasAAD {
		return []byte(p.protected), nil
	}
	if _, err := strict.Base64(p.aad); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(p.protected)+1+len(p.aad))
	out = append(out, p.protected...)
	out = append(out, '.')
	return append(out, p.aad...), nil
}

// decodeExact decodes a member whose length is fixed by the algorithm.
// Invalid base64url is malformed input; a wrong length is a failed
// decryption, reported before any HPKE call.
func decodeExact(s string, n int) ([]byte, error) {
	b, err := strict.Base64(s)
	if err != nil {
		return nil, err
	}
	if len(b) != n {
		return nil, ErrDecryption
	}
	return b, nil
}

// decodeCiphertext decodes a ciphertext that must at least hold a tag.
func decodeCiphertext(s string) ([]byte, error) {
	if strict.DecodedLen(len(s)) < aeadTagSize {
		return nil, ErrDecryption
	}
	return strict.Base64(s)
}
