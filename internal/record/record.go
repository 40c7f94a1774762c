// Package record encrypts and decrypts record streams: the framing that
// carries HTTP request and response bodies of any size.
//
// # Stream layout
//
// A stream is a sequence of records. Each record is a 4-byte big-endian
// length N of the sealed record (ciphertext plus its 16-byte tag), followed
// by those N bytes.
//
// Records are sealed with AES-GCM under a key of 16 or 32 bytes and a
// 12-byte base nonce, both given by the caller. The nonce of record i
// (i = 0, 1, 2, ...) is the base nonce XOR i, where i is encoded as 8 bytes
// big-endian into the last 8 bytes of the nonce (the first 4 bytes are the
// base nonce's). A stream that would need a counter beyond 2^64-1 is an
// error.
//
// The additional authenticated data of each record is a prefix fixed by the
// caller for the whole stream (for a response, its status code as 2 bytes
// big-endian; it may be empty), followed by one byte: 0x01 for the final
// record and 0x00 for every other record.
//
// A record carries at most the stream's record size of plaintext (16384
// bytes by default, at most 1048576 bytes). A reader refuses a length N
// greater than its maximum record size plus 16 before allocating anything
// for it, and a length N below 16 is malformed.
//
// Exactly one final record ends the stream; it may be empty. A non-final
// record with an empty plaintext is an error. Any byte after the final
// record is an error. End of input before the final record, including in
// the middle of a length or of a record, is a truncation error, never a
// clean end of stream. A record that does not authenticate is an
// authentication error; since every record's nonce and additional data
// depend on its position, on whether it is final and on the prefix,
// reordered, duplicated, dropped or altered records and a wrong prefix all
// end there.
package record

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sealjwt/sealjwt/internal/errs"
)

const (
	// DefaultRecordSize is the plaintext size of a full record when the
	// caller does not choose one.
	DefaultRecordSize = 16384
	// MaxRecordSize is the hard cap on plaintext per record, for writers
	// and readers alike.
	MaxRecordSize = 1 << 20
	// KeySize128 and KeySize256 are the accepted key sizes (AES-128/256).
	KeySize128, KeySize256 = 16, 32
	// NonceSize is the size of the base nonce.
	NonceSize = 12

	headerSize = 4 // the big-endian record length
	// shortRecord is the size up to which a first record gets a buffer of
	// its own size rather than a full one: small messages stay cheap.
	shortRecord = 1024
	tagSize     = 16 // the AES-GCM tag

	adNonFinal, adFinal = 0x00, 0x01
)

var (
	// ErrTruncated reports end of input before the final record.
	ErrTruncated error = errs.ErrTruncated
	// ErrAuth reports a record that did not authenticate. It is
	// deliberately the same for every cause.
	ErrAuth = fmt.Errorf("record: authentication failed: %w", errs.ErrDecryption)
	// ErrMalformed reports a record of impossible shape.
	ErrMalformed = fmt.Errorf("record: malformed record: %w", errs.ErrMalformed)
	// ErrTrailingData reports bytes after the final record; it wraps
	// errs.ErrMalformed.
	ErrTrailingData error = errs.ErrTrailingData
	// ErrTooLarge reports a record length above the reader's maximum.
	ErrTooLarge = fmt.Errorf("record: record exceeds the maximum size: %w", errs.ErrTooLarge)
	// ErrTooManyRecords reports a stream that exhausted the record counter.
	ErrTooManyRecords = errors.New("record: record counter exhausted")
	// ErrClosed reports a write to a Writer after Close.
	ErrClosed = errors.New("record: writer closed")
)

// stream is the state both directions share: the AEAD, the counter and the
// additional data.
type stream struct {
	aead      cipher.AEAD
	nonce     [NonceSize]byte // first 4 bytes of the base nonce, then scratch
	base      uint64          // last 8 bytes of the base nonce
	seq       uint64          // index of the next record
	exhausted bool            // record 2^64-1 was used; no counter is left
	ad        []byte          // prefix || final flag
}

func newStream(key, baseNonce, prefix []byte) (stream, error) {
	if len(key) != KeySize128 && len(key) != KeySize256 {
		return stream{}, fmt.Errorf("record: key must be 16 or 32 bytes, got %d: %w", len(key), errs.ErrInvalidKey)
	}
	if len(baseNonce) != NonceSize {
		return stream{}, fmt.Errorf("record: base nonce must be 12 bytes, got %d: %w", len(baseNonce), errs.ErrInvalidKey)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return stream{}, fmt.Errorf("record: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return stream{}, fmt.Errorf("record: %w", err)
	}
	s := stream{aead: aead, base: binary.BigEndian.Uint64(baseNonce[4:])}
	copy(s.nonce[:4], baseNonce)
	// Copied so that a caller reusing its slice cannot change a live stream.
	s.ad = append(make([]byte, 0, len(prefix)+1), prefix...)
	s.ad = append(s.ad, adNonFinal)
	return s, nil
}

// recordNonce returns the nonce of the current record, or an error once the
// counter is exhausted.
func (s *stream) recordNonce() ([]byte, error) {
	if s.exhausted {
		return nil, ErrTooManyRecords
	}
	binary.BigEndian.PutUint64(s.nonce[4:], s.base^s.seq)
	return s.nonce[:], nil
}

// advance moves to the next record after the current one was sealed or
// opened.
func (s *stream) advance() {
	if s.seq == ^uint64(0) {
		s.exhausted = true
		return
	}
	s.seq++
}

// additionalData returns prefix || final flag.
func (s *stream) additionalData(final bool) []byte {
	s.ad[len(s.ad)-1] = adNonFinal
	if final {
		s.ad[len(s.ad)-1] = adFinal
	}
	return s.ad
}

// checkRecordSize maps 0 to DefaultRecordSize and refuses sizes outside
// [1, MaxRecordSize].
func checkRecordSize(n int) (int, error) {
	if n == 0 {
		return DefaultRecordSize, nil
	}
	if n < 0 || n > MaxRecordSize {
		return 0, fmt.Errorf("record: record size %d outside [1, %d]", n, MaxRecordSize)
	}
	return n, nil
}
