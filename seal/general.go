package seal

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sealjwt/sealjwt/internal/strict"
)

// JWE JSON General Serialization (RFC 7516 §7.2.1) in key encryption mode
// (draft-ietf-jose-hpke-encrypt-20 §6): one content encryption key (CEK)
// encrypts the plaintext once, and each recipient's entry holds that CEK
// HPKE-encrypted to its key, so any one recipient's private key opens it.
//
//	{"protected": BASE64URL({"enc":"A256GCM"[,"cty":...]}),
//	 "recipients": [{"header": {"alg":"HPKE-n-KE","kid":...,"ek":...},
//	                 "encrypted_key": BASE64URL(HPKE ciphertext of the CEK)}, ...],
//	 "iv": ..., "ciphertext": ..., "tag": ...}

const (
	// MaxRecipients caps the recipients of one JWE, checked before
	// anything is allocated for them, on both sides.
	MaxRecipients = 64
	// MaxGeneralSize caps a JWE in general serialization: MaxRecipients
	// entries of the largest KEM (HPKE-10, 2.2 KiB of base64url each)
	// and a plaintext of MaxEnvelopeSize, with room to spare.
	MaxGeneralSize = 384 << 10
	// generalEnc is the content encryption of every general JWE we make,
	// whatever the recipients' suites.
	generalEnc = "A256GCM"
)

// Recipient is one entry of a general JWE's recipients list, as its
// header names it.
type Recipient struct {
	Alg Alg
	KID string
}

// OpenedGeneral is the result of OpenGeneral.
type OpenedGeneral struct {
	Opened
	// Index is the position, in Recipients, of the entry that opened.
	Index int
	// Recipients lists every entry in order. Only the entry at Index was
	// authenticated, by its decryption; the others are what the JWE says.
	Recipients []Recipient
}

// KeyEncryptionAlg returns the key encryption form of a: HPKE-n-KE for
// HPKE-n (the same suite), a itself if it already is one. A key bound to
// HPKE-n is used in a general JWE under HPKE-n-KE, the one mode in which
// several recipients can share a content key; the HPKE info of key
// encryption (Recipient_structure) differs from integrated mode's empty
// info, so the two uses of the key stay apart.
func KeyEncryptionAlg(a Alg) (Alg, bool) {
	sp, ok := lookupAlg(a)
	if !ok {
		return "", false
	}
	if sp.keyEnc {
		return a, true
	}
	return a + "-KE", true
}

// SealGeneral encrypts plaintext once for every key of to, in that order,
// and returns the JWE in general JSON serialization and the sender's
// Context, derived from the content key alone. Keys must be distinct (by
// thumbprint).
func SealGeneral(to []*PublicKey, plaintext []byte, opts ...SealOption) ([]byte, *Context, error) {
	if err := checkRecipientKeys(to); err != nil {
		return nil, nil, err
	}
	if strict.EncodedLen(len(plaintext)) > MaxEnvelopeSize {
		return nil, nil, fmt.Errorf("%w: %d bytes of plaintext, the limit is an encoding of %d", ErrTooLarge, len(plaintext), MaxEnvelopeSize)
	}
	cek := make([]byte, 32+gcmIVSize)
	if _, err := rand.Read(cek); err != nil {
		return nil, nil, err
	}
	cek, iv := cek[:32], cek[32:]
	entries, err := wrapCEK(to, cek)
	if err != nil {
		return nil, nil, err
	}
	o := buildSealOptions(opts)
	protected := encodeGeneralProtected(o.cty)
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, nil, err
	}
	sealed := gcm.Seal(nil, iv, plaintext, []byte(protected))
	out, err := json.Marshal(generalJWE{
		Protected: protected, Recipients: entries, IV: strict.Encode(iv),
		Ciphertext: strict.Encode(sealed[:len(sealed)-gcmTagSize]), Tag: strict.Encode(sealed[len(sealed)-gcmTagSize:]),
	})
	if err != nil {
		return nil, nil, err
	}
	if len(out) > MaxGeneralSize {
		return nil, nil, fmt.Errorf("%w: a JWE of %d bytes, the limit is %d", ErrTooLarge, len(out), MaxGeneralSize)
	}
	return out, cekContext(cek), nil
}

// checkRecipientKeys bounds the count first, then refuses nil and
// repeated keys.
func checkRecipientKeys(to []*PublicKey) error {
	if len(to) == 0 || len(to) > MaxRecipients {
		return fmt.Errorf("%w: %d recipients, want 1 to %d", ErrInvalidKey, len(to), MaxRecipients)
	}
	for i, k := range to {
		if k == nil || k.kem == nil {
			return fmt.Errorf("%w: recipient %d is nil", ErrInvalidKey, i)
		}
		for _, prev := range to[:i] {
			if prev.thumb == k.thumb {
				return fmt.Errorf("%w: recipient key %s given twice", ErrInvalidKey, k.kid)
			}
		}
	}
	return nil
}

// wrapCEK HPKE-encrypts cek to each key (draft §6.1: info =
// Recipient_structure, empty aad).
func wrapCEK(to []*PublicKey, cek []byte) ([]generalRecipient, error) {
	info := recipientStructure(generalEnc)
	entries := make([]generalRecipient, len(to))
	for i, k := range to {
		alg, _ := KeyEncryptionAlg(k.spec.alg)
		ek, wrapped, _, err := k.kem.seal(info, nil, cek)
		if err != nil {
			return nil, err
		}
		entries[i] = generalRecipient{
			Header:       recipientHeader{Alg: string(alg), KID: k.kid, EK: strict.Encode(ek)},
			EncryptedKey: strict.Encode(wrapped),
		}
	}
	return entries, nil
}

func encodeGeneralProtected(cty string) string {
	b, _ := json.Marshal(struct {
		Enc string `json:"enc"`
		Cty string `json:"cty,omitempty"`
	}{generalEnc, cty}) // strings always marshal
	return strict.Encode(b)
}

// cekContext is the Context of a general JWE, the same for the sender and
// every recipient: Export(label, n) = HKDF-SHA256(salt empty, secret the
// CEK, info "sealjwt cek export " || label) of n bytes. Its KeySize is 32.
func cekContext(cek []byte) *Context {
	return &Context{exp: cekExporter(slices.Clone(cek))}
}

type cekExporter []byte

func (c cekExporter) Export(label string, n int) ([]byte, error) {
	return hkdf.Key(sha256.New, c, nil, "sealjwt cek export "+label, n)
}

type generalJWE struct {
	Protected  string             `json:"protected"`
	Recipients []generalRecipient `json:"recipients"`
	IV         string             `json:"iv"`
	Ciphertext string             `json:"ciphertext"`
	Tag        string             `json:"tag"`
}

type generalRecipient struct {
	Header       recipientHeader `json:"header"`
	EncryptedKey string          `json:"encrypted_key"`
}

type recipientHeader struct {
	Alg string `json:"alg"`
	KID string `json:"kid"`
	EK  string `json:"ek"`
}

// generalMembers are the members a general JWE may have. "unprotected" is
// refused: every shared parameter must be integrity protected.
var generalMembers = []string{"protected", "recipients", "iv", "ciphertext", "tag", "aad"}

// recipientMembers are the members of one recipients entry and of its
// header; each is required.
var (
	recipientMembers = []string{"header", "encrypted_key"}
	recipientParams  = []string{"alg", "kid", "ek"}
)

// parsedGeneral is a general JWE parsed, not yet decrypted.
type parsedGeneral struct {
	parts      jweParts // encryptedKey unused: it is per recipient
	cty        string
	recipients []generalRecipient
}

// ParseGeneral reads a general JWE's recipients without decrypting
// anything: what it says about who can open it, unauthenticated. It
// applies every check OpenGeneral applies before decryption.
func ParseGeneral(jwe []byte) ([]Recipient, error) {
	p, err := parseGeneral(jwe)
	if err != nil {
		return nil, err
	}
	return p.list(), nil
}

func (p *parsedGeneral) list() []Recipient {
	out := make([]Recipient, len(p.recipients))
	for i, r := range p.recipients {
		out[i] = Recipient{Alg: Alg(r.Header.Alg), KID: r.Header.KID}
	}
	return out
}

func parseGeneral(jwe []byte) (*parsedGeneral, error) {
	if len(jwe) > MaxGeneralSize {
		return nil, fmt.Errorf("%w: JWE of %d bytes, the limit is %d", ErrTooLarge, len(jwe), MaxGeneralSize)
	}
	var raw struct {
		generalJWE
		Recipients json.RawMessage `json:"recipients"`
		AAD        *string         `json:"aad"`
	}
	if err := onlyMembers(jwe, generalMembers, generalMembers[:5], "JWE"); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(jwe, &raw); err != nil {
		return nil, fmt.Errorf("%w: JWE: %v", ErrMalformed, err)
	}
	n, err := countElements(raw.Recipients)
	if err != nil {
		return nil, err
	}
	if n == 0 || n > MaxRecipients {
		return nil, fmt.Errorf("%w: %d recipients, want 1 to %d", ErrMalformed, n, MaxRecipients)
	}
	p := &parsedGeneral{parts: jweParts{protected: raw.Protected, iv: raw.IV, ciphertext: raw.Ciphertext, tag: raw.Tag}}
	if raw.AAD != nil {
		p.parts.aad, p.parts.hasAAD = *raw.AAD, true
	}
	if p.cty, err = parseGeneralProtected(raw.Protected); err != nil {
		return nil, err
	}
	if p.recipients, err = parseRecipients(raw.Recipients, n); err != nil {
		return nil, err
	}
	return p, nil
}

// onlyMembers checks that data is one strict JSON object holding only
// allowed members and every required one.
func onlyMembers(data []byte, allowed, required []string, what string) error {
	names, err := strict.Object(data)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			return fmt.Errorf("%w: %s member %.32q", ErrUnsupported, what, n)
		}
	}
	for _, n := range required {
		if !slices.Contains(names, n) {
			return fmt.Errorf("%w: %s has no %q", ErrMalformed, what, n)
		}
	}
	return nil
}

// countElements counts the elements of a JSON array that strict.Object
// has already validated, without decoding them: the commas at its top
// level, outside strings.
func countElements(raw []byte) (int, error) {
	s := strings.TrimSpace(string(raw))
	if len(s) < 2 || s[0] != '[' {
		return 0, fmt.Errorf("%w: recipients is not an array", ErrMalformed)
	}
	if strings.TrimSpace(s[1:len(s)-1]) == "" {
		return 0, nil
	}
	n, depth, inString := 1, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 1:
			n++
		}
	}
	return n, nil
}

// parseGeneralProtected reads the shared protected header: enc (A256GCM
// or A128GCM) and optional cty; alg, kid and ek belong to each recipient.
func parseGeneralProtected(encoded string) (string, error) {
	raw, err := strict.Base64(encoded)
	if err != nil {
		return "", err
	}
	if err := onlyMembers(raw, []string{"enc", "cty"}, []string{"enc"}, "protected header"); err != nil {
		return "", err
	}
	var h struct{ Enc, Cty string }
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", fmt.Errorf("%w: protected header: %v", ErrMalformed, err)
	}
	if _, ok := contentKeySize(h.Enc); !ok || h.Enc != generalEnc {
		return "", fmt.Errorf("%w: enc %.32q, want %s", ErrUnsupported, h.Enc, generalEnc)
	}
	return h.Cty, nil
}

// parseRecipients decodes the n entries, each with exactly its members,
// a key encryption alg and a kid of 1 to 256 bytes.
func parseRecipients(raw json.RawMessage, n int) ([]generalRecipient, error) {
	entries := make([]json.RawMessage, 0, n)
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("%w: recipients: %v", ErrMalformed, err)
	}
	out := make([]generalRecipient, len(entries))
	for i, e := range entries {
		if err := parseRecipient(e, &out[i]); err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i, err)
		}
	}
	return out, nil
}

func parseRecipient(e []byte, r *generalRecipient) error {
	if err := onlyMembers(e, recipientMembers, recipientMembers, "recipient"); err != nil {
		return err
	}
	var h struct {
		Header json.RawMessage `json:"header"`
	}
	if err := json.Unmarshal(e, &h); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := onlyMembers(h.Header, recipientParams, recipientParams, "recipient header"); err != nil {
		return err
	}
	if err := json.Unmarshal(e, r); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if sp, ok := lookupAlg(Alg(r.Header.Alg)); !ok || !sp.keyEnc {
		return fmt.Errorf("%w: alg %.32q is not a key encryption alg", ErrUnsupported, r.Header.Alg)
	}
	if r.Header.KID == "" || len(r.Header.KID) > 256 {
		return fmt.Errorf("%w: kid must be 1 to 256 bytes", ErrMalformed)
	}
	return nil
}

// OpenGeneral decrypts a general JWE with the first entry whose kid names
// a key of keys and whose alg is that key's key encryption alg. A JWE
// with no such entry is ErrUnknownKey, with the kids it was sealed to; a
// failure to decrypt the chosen entry or the content is ErrDecryption.
func OpenGeneral(keys *KeySet, jwe []byte) (*OpenedGeneral, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrInvalidKey)
	}
	p, err := parseGeneral(jwe)
	if err != nil {
		return nil, err
	}
	i, key, err := p.ourEntry(keys)
	if err != nil {
		return nil, err
	}
	pt, cek, err := p.decrypt(key, &p.recipients[i])
	if err != nil {
		return nil, err
	}
	r := p.recipients[i].Header
	return &OpenedGeneral{
		Opened:     Opened{Plaintext: pt, Header: Header{Alg: Alg(r.Alg), KID: r.KID, Cty: p.cty, Enc: generalEnc}, Context: cekContext(cek)},
		Index:      i,
		Recipients: p.list(),
	}, nil
}

// ourEntry finds the entry sealed to one of keys.
func (p *parsedGeneral) ourEntry(keys *KeySet) (int, *PrivateKey, error) {
	for i, r := range p.recipients {
		key, ok := keys.Lookup(r.Header.KID)
		if !ok {
			continue
		}
		if alg, _ := KeyEncryptionAlg(key.Alg()); alg != Alg(r.Header.Alg) {
			return 0, nil, fmt.Errorf("%w: recipient alg %s, key %s is for %s", ErrInvalidKey, r.Header.Alg, key.KID(), alg)
		}
		return i, key, nil
	}
	kids := make([]string, len(p.recipients))
	for i, r := range p.recipients {
		kids[i] = fmt.Sprintf("%.64q", r.Header.KID)
	}
	return 0, nil, fmt.Errorf("%w: none of these keys is a recipient; it was sealed to kids %s", ErrUnknownKey, strings.Join(kids, ", "))
}

// decrypt unwraps the CEK from entry r and decrypts the content with it.
func (p *parsedGeneral) decrypt(key *PrivateKey, r *generalRecipient) (plaintext, cek []byte, err error) {
	ek, err := decodeExact(r.Header.EK, kemSizes[key.spec.suite.kem].enc)
	if err != nil {
		return nil, nil, err
	}
	wrapped, err := decodeExact(r.EncryptedKey, 32+aeadTagSize)
	if err != nil {
		return nil, nil, err
	}
	iv, err := decodeExact(p.parts.iv, gcmIVSize)
	if err != nil {
		return nil, nil, err
	}
	tag, err := decodeExact(p.parts.tag, gcmTagSize)
	if err != nil {
		return nil, nil, err
	}
	ct, err := strict.Base64(p.parts.ciphertext)
	if err != nil {
		return nil, nil, err
	}
	aad, err := contentAAD(&p.parts)
	if err != nil {
		return nil, nil, err
	}
	cek, _, err = openOnce(key.kem, ek, recipientStructure(generalEnc), nil, wrapped)
	if err != nil || len(cek) != 32 {
		return nil, nil, ErrDecryption
	}
	gcm, err := newGCM(cek)
	if err != nil {
		return nil, nil, ErrDecryption
	}
	pt, err := gcm.Open(nil, iv, append(ct, tag...), aad)
	if err != nil {
		return nil, nil, ErrDecryption
	}
	return pt, cek, nil
}
