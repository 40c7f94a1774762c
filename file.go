package sealjwt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// MaxFileRecipients caps the keys one file is sealed to.
const MaxFileRecipients = seal.MaxRecipients

// A File is the verified head of a sealed file: the signed claims (Issuer,
// IssuedAt, the signing key's KID ...) through the embedded token.Verified,
// and who it was sealed to.
type File struct {
	*token.Verified
	// Recipients lists the keys the file was sealed to (kid and alg), in
	// order. Their thumbprints are signed (RecipientClaim), so the list
	// cannot have been edited, reordered or cut.
	Recipients []seal.Recipient
	// Key is the entry of Recipients our key opened.
	Key seal.Recipient
}

// WithExpiresAt gives a sealed file an exp: it is refused after t, which
// must fall between 1970 and 9999, as token.WithExpiresAt. A file has
// none unless asked. It is a FileOption only: a message's lifetime is its
// signer's.
func WithExpiresAt(t time.Time) FileOption {
	return fileOption(func(p *sealParams) { p.expiresAt = t })
}

// fileOption is an option for files only.
type fileOption func(*sealParams)

func (f fileOption) applyFile(p *sealParams) { f(p) }

// WithMaxAge makes OpenFile refuse a file signed (iat) more than d ago,
// with ErrExpired: d at least 0, where 0 (the default) sets no limit.
// Files otherwise open for as long as their signer is trusted, unless the
// sealer set an exp.
func WithMaxAge(d time.Duration) OpenerOption {
	return func(o *Opener) { o.maxAge = d }
}

// SealFile signs claims and writes to dst the head of a sealed file for
// every key of to (1 to MaxFileRecipients; any one of their private keys
// opens it). What is then written to the returned writer goes to dst
// encrypted, in records of StreamRecordSize bytes, as a stream's data.
// Close writes the final record; it does not close dst.
//
// The signed token has no aud and no exp (unless WithExpiresAt): a file
// is read for years, by the holders of the keys it names. Those keys'
// thumbprints are signed, in order, as RecipientClaim.
func (s *Sealer) SealFile(ctx context.Context, dst io.Writer, to []*seal.PublicKey, claims any, opts ...FileOption) (io.WriteCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(to) == 0 || len(to) > MaxFileRecipients {
		return nil, fmt.Errorf("%w: %d recipients, want 1 to %d", ErrInvalidKey, len(to), MaxFileRecipients)
	}
	thumbs := make([]string, len(to))
	for i, k := range to {
		if k == nil {
			return nil, fmt.Errorf("%w: recipient %d is nil", ErrInvalidKey, i)
		}
		thumbs[i] = k.Thumbprint()
	}
	p := sealParams{signOpts: []token.SignOption{token.WithoutAudience(), token.WithoutExpiry(), token.WithStringsClaim(RecipientClaim, thumbs)}}
	for _, o := range opts {
		o.applyFile(&p)
	}
	if !p.expiresAt.IsZero() {
		p.signOpts = append(p.signOpts, token.WithExpiresAt(p.expiresAt))
	}
	jws, err := s.fileSigner.Sign("", claims, p.signOpts...)
	if err != nil {
		return nil, err
	}
	head, sc, err := seal.SealGeneral(to, []byte(jws), seal.WithContentType(ContentType))
	if err != nil {
		return nil, err
	}
	return startRecords(dst, head, sc, streamkey.File)
}

// startRecords derives the records' key from sc with derive, then writes
// the big-endian length and the head in one write, and returns the
// writer of the records that follow.
func startRecords(dst io.Writer, head []byte, sc *seal.Context, derive func(*seal.Context) ([]byte, []byte, error)) (io.WriteCloser, error) {
	key, nonce, err := derive(sc)
	if err != nil {
		return nil, err
	}
	w, err := record.NewWriter(dst, key, nonce, nil, StreamRecordSize)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, streamLengthSize, streamLengthSize+len(head))
	binary.BigEndian.PutUint32(buf, uint32(len(head)))
	if _, err := dst.Write(append(buf, head...)); err != nil {
		return nil, err
	}
	return w, nil
}

// OpenFile reads a sealed file's head from src with whichever key of the
// Opener's key set is among its recipients, verifies the signed token
// (a trusted signer, its issuer, FileType, the recipients' thumbprints,
// exp if the sealer set one, WithMaxAge if the Opener has one), and
// returns it with a reader of the plaintext, which behaves as
// OpenStream's. A file is not single use: no replay store is consulted.
// A key set with no recipient key is ErrUnknownKey, naming the kids the
// file was sealed to.
func (o *Opener) OpenFile(ctx context.Context, src io.Reader) (*File, io.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	head, err := readHead(src, seal.MaxGeneralSize)
	if err != nil {
		return nil, nil, err
	}
	if len(head) == 0 || head[0] != '{' {
		return nil, nil, fmt.Errorf("%w: not a sealed file (a sealed stream's head is a compact envelope, a file's a JSON object)", ErrMalformed)
	}
	opened, err := seal.OpenGeneral(o.keys, head)
	if err != nil {
		return nil, nil, err
	}
	f, err := o.verifyFile(opened)
	if err != nil {
		return nil, nil, err
	}
	key, nonce, err := streamkey.File(opened.Context)
	if err != nil {
		return nil, nil, err
	}
	rd, err := record.NewReader(src, key, nonce, nil, StreamRecordSize)
	if err != nil {
		return nil, nil, err
	}
	return f, rd, nil
}

// verifyFile checks the signed token of an opened head and that its
// recipient thumbprints are exactly the head's list, ours at our entry.
func (o *Opener) verifyFile(opened *seal.OpenedGeneral) (*File, error) {
	if opened.Header.Cty != ContentType {
		return nil, fmt.Errorf("%w: file cty %q, want %q", ErrMalformed, opened.Header.Cty, ContentType)
	}
	v, err := o.fileVerifier.Verify(string(opened.Plaintext))
	if err != nil {
		return nil, err
	}
	if v.Alg == token.HS256 {
		return nil, fmt.Errorf("%w: HS256 is for the shared-secret (signed-only) mode; a sealed file needs a key only its sender holds", ErrUntrustedSender)
	}
	thumbprints, err := fileRecipients(v)
	if err != nil {
		return nil, err
	}
	key, _ := o.keys.Lookup(opened.Header.KID) // OpenGeneral found it
	switch {
	case len(thumbprints) != len(opened.Recipients):
		return nil, fmt.Errorf("%w: %d recipients signed, %d in the file", ErrRecipient, len(thumbprints), len(opened.Recipients))
	case thumbprints[opened.Index] != key.Public().Thumbprint():
		return nil, fmt.Errorf("%w: recipient %d was signed as another key", ErrRecipient, opened.Index)
	}
	return &File{Verified: v, Recipients: opened.Recipients, Key: opened.Recipients[opened.Index]}, nil
}

// fileRecipients returns the signed recipient thumbprints, read by their
// exact name in the token layer's strict pass (a case variant of the name
// was refused there).
func fileRecipients(v *token.Verified) ([]string, error) {
	raw, err := v.Claim(RecipientClaim)
	if err != nil {
		return nil, err
	}
	var thumbprints []string
	if raw == nil || json.Unmarshal(raw, &thumbprints) != nil || thumbprints == nil {
		return nil, fmt.Errorf("%w: claim %q must be a list of thumbprints", ErrRecipient, RecipientClaim)
	}
	return thumbprints, nil
}

// readHead reads a length-prefixed head of at most limit bytes, checking
// the length before reading or allocating anything for it, and nothing
// past the head.
func readHead(src io.Reader, limit int) ([]byte, error) {
	var n [streamLengthSize]byte
	if _, err := io.ReadFull(src, n[:]); err != nil {
		return nil, streamTruncation(err, "in the head length")
	}
	size := binary.BigEndian.Uint32(n[:])
	switch {
	case size == 0:
		return nil, fmt.Errorf("%w: empty head", ErrMalformed)
	case uint64(size) > uint64(limit):
		return nil, fmt.Errorf("%w: a head of %d bytes, the limit is %d", ErrTooLarge, size, limit)
	}
	// Read as it arrives rather than allocated up front: a declared length
	// costs memory only once its bytes are there.
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(src, int64(size))); err != nil {
		return nil, err
	}
	if buf.Len() < int(size) {
		return nil, fmt.Errorf("%w: %d of %d head bytes", ErrTruncated, buf.Len(), size)
	}
	return buf.Bytes(), nil
}
