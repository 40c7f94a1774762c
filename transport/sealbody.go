package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt/internal/record"
)

// ErrBodyLength reports a request body that ends before, or runs past, the
// ContentLength the request declared.
var ErrBodyLength = errors.New("transport: request body length differs from its ContentLength")

// sealingBody encrypts a request body as it is read, without a goroutine.
// A body that may arrive slowly is sent as it arrives: each read from the
// source becomes one record. A body that can be read again (GetBody) has a
// known length and is in hand: it is cut into full records and a final one
// with the rest, so its sealed length is known in advance
// (record.SealedLen) and a small one leaves in one write with the headers.
type sealingBody struct {
	src   io.ReadCloser
	rec   *record.Writer
	chunk []byte
	size  int    // plaintext bytes per full record
	left  int64  // plaintext bytes still due from a body of declared length; -1 if unknown
	sized bool   // fill full records rather than send each read as it comes
	out   []byte // sealed bytes not yet read; rec appends here
	off   int
	done  bool
}

// newSealingBody reads the source in chunks of recordSize, or of its
// declared length when that is positive and shorter, so small bodies stay
// small. A body must match its declared length either way; only a sized
// one (which needs a declared length) is cut into full records.
func newSealingBody(src io.ReadCloser, length int64, sized bool, key, nonce []byte, recordSize int) (*sealingBody, error) {
	n, left := recordSize, int64(-1)
	if length > 0 {
		n, left = int(min(length, int64(n))), length
	}
	s := &sealingBody{src: src, chunk: make([]byte, n), size: recordSize, left: left, sized: sized && left > 0}
	rec, err := record.NewWriter(s, key, nonce, nil, recordSize)
	if err != nil {
		return nil, err
	}
	s.rec = rec
	return s, nil
}

// wire returns what goes on the wire for the body and its length, -1 when
// that is not known in advance. A sized body up to one record is sealed
// whole now: net/http sends headers and body in one write only for a body
// it knows is in memory.
func (s *sealingBody) wire() (io.ReadCloser, int64, error) {
	if !s.sized {
		return s, -1, nil
	}
	n, ok := record.SealedLen(s.left, s.size)
	switch {
	case !ok:
		return s, -1, nil
	case s.left > int64(s.size):
		return s, n, nil
	}
	sealed, err := s.sealAll(n)
	return sealed, n, err
}

// sealAll seals the whole body into sealedLength bytes, and closes the
// source once all of it is read.
func (s *sealingBody) sealAll(sealedLength int64) (io.ReadCloser, error) {
	sealed := make([]byte, sealedLength)
	if _, err := io.ReadFull(s, sealed); err != nil {
		return nil, err
	}
	if err := s.src.Close(); err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(sealed)), nil
}

// Write collects the records the record writer emits.
func (s *sealingBody) Write(p []byte) (int, error) {
	s.out = append(s.out, p...)
	return len(p), nil
}

func (s *sealingBody) Read(p []byte) (int, error) {
	for s.off == len(s.out) {
		if s.done {
			return 0, io.EOF
		}
		s.out, s.off = s.out[:0], 0
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.out[s.off:])
	s.off += n
	return n, nil
}

// fill seals what the next read of the source gives: as a record of its
// own, or into full records when sized.
func (s *sealingBody) fill() error {
	if s.left == 0 {
		return s.finishDeclared()
	}
	chunk := s.chunk
	if s.left > 0 {
		chunk = chunk[:min(int64(len(chunk)), s.left)]
	}
	n, err := s.src.Read(chunk)
	if s.left > 0 {
		s.left -= int64(n)
	}
	if n > 0 {
		if _, werr := s.rec.Write(chunk[:n]); werr != nil {
			return werr
		}
		if !s.sized {
			if werr := s.rec.Flush(); werr != nil {
				return werr
			}
		}
	}
	switch {
	case err == io.EOF && s.left > 0:
		return fmt.Errorf("%w: %d bytes short", ErrBodyLength, s.left)
	case err == io.EOF:
		s.done = true
		return s.rec.Close()
	}
	return err
}

// finishDeclared closes a body of declared length once all of it has been
// read, after making sure the source has nothing more.
func (s *sealingBody) finishDeclared() error {
	var extra [1]byte
	switch n, err := io.ReadFull(s.src, extra[:]); {
	case n > 0:
		return fmt.Errorf("%w: the body is longer", ErrBodyLength)
	case err != io.EOF:
		return err
	}
	s.done = true
	return s.rec.Close()
}

func (s *sealingBody) Close() error { return s.src.Close() }
