package sealjwt

import (
	"context"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt/internal/errs"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/seal"
)

// StreamType is the "typ" of the signed token inside a stream's envelope.
// It differs from token.Type, so that the envelope of a stream cut from its
// records cannot pass for a message (Open refuses it, and so does the
// transport), nor a message's envelope for the head of a stream.
const StreamType = "seal-stream+jwt"

// FileType is the "typ" of the signed token at the head of a sealed file
// (SealFile). It differs from a message's (token.Type) and a stream's
// (StreamType), so that no one of the three passes for another.
const FileType = "seal-file+jwt"

// StreamRecordSize is the plaintext carried by each full record of a
// stream (16 KiB); a reader refuses any larger record before reading it.
const StreamRecordSize = 16384

// streamLengthSize is the big-endian length in front of the envelope.
const streamLengthSize = 4

// Errors of a stream's plaintext reader, for errors.Is. A record that was
// altered, reordered, duplicated or dropped is ErrDecryption.
var (
	// ErrTruncated is returned by the reader of [Opener.OpenStream] and
	// [Opener.OpenFile] (and by the transport's body readers) for a stream
	// that ended before its final record, and by OpenStream for one that
	// ended inside its envelope: a cut stream never reads as io.EOF.
	ErrTruncated error = sentinel("sealjwt: stream truncated before the final record")
	// ErrTrailingData is returned by the same readers for bytes after the
	// final record. It wraps [ErrMalformed].
	ErrTrailingData error = sentinelCase{Of: "sealjwt: malformed input", What: "data after the final record"}
)

// sentinel and sentinelCase are the types of errors that internal packages
// raise too: values of the same text are equal, so errors.Is matches the
// value declared here.
type (
	sentinel     = errs.Sentinel
	sentinelCase = errs.Case
)

// SealStream signs claims for audience, seals the token to the receiver's
// public key to, and writes the envelope to dst, as Seal does (the same
// options apply). What is then written to the returned writer goes to dst
// encrypted, in records of StreamRecordSize bytes under a key derived from
// the envelope's HPKE context, as the transport's bodies are. Close writes
// the final record, which the reader needs to see the stream as complete;
// it does not close dst. The writer also has Flush() error, which sends
// what was written so far as a record of its own.
func (s *Sealer) SealStream(ctx context.Context, dst io.Writer, to *seal.PublicKey, audience string, claims any, opts ...SealOption) (io.WriteCloser, error) {
	env, sc, err := s.seal(ctx, s.streamSigner, to, audience, claims, opts, requestClaims)
	if err != nil {
		return nil, err
	}
	return startRecords(dst, []byte(env), sc, streamkey.Stream)
}

// OpenStream reads a stream's envelope from src, opens and verifies it as
// Open does (a given stream is accepted at most once), and returns the
// verified message and a reader of the plaintext. The reader returns only
// authenticated plaintext, and io.EOF only after the final record and the
// end of src: a stream cut short is ErrTruncated, records altered or out
// of order are ErrDecryption, bytes after the final record are
// ErrTrailingData. A caller that acts on the plaintext before reading to
// io.EOF must be ready to undo it: only the end proves nothing was cut.
func (o *Opener) OpenStream(ctx context.Context, src io.Reader) (*Message, io.Reader, error) {
	env, err := o.readEnvelope(src)
	if err != nil {
		return nil, nil, err
	}
	msg, sc, err := o.open(ctx, o.streamVerifier, env, nil)
	if err != nil {
		return nil, nil, err
	}
	key, nonce, err := streamkey.Stream(sc)
	if err != nil {
		return nil, nil, err
	}
	rd, err := record.NewReader(src, key, nonce, nil, StreamRecordSize)
	if err != nil {
		return nil, nil, err
	}
	return msg, rd, nil
}

// readEnvelope reads the length and the envelope, checking the length
// against the envelope cap before reading or allocating anything for it.
// It reads nothing past the envelope.
func (o *Opener) readEnvelope(src io.Reader) (string, error) {
	env, err := readHead(src, seal.MaxEnvelopeSize)
	return string(env), err
}

// streamTruncation reports the end of input inside the stream's head as
// ErrTruncated, never as io.EOF.
func streamTruncation(err error, where string) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: %s", ErrTruncated, where)
	}
	return err
}
