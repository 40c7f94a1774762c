package transport

import (
	"io"

	"github.com/sealjwt/sealjwt/internal/record"
)

// sealingBody encrypts a request body as it is read, without a goroutine:
// each read from the source becomes one record, so a slow stream is sent as
// it arrives and a fast one in full records.
type sealingBody struct {
	src   io.ReadCloser
	rec   *record.Writer
	chunk []byte
	out   []byte // sealed bytes not yet read; rec appends here
	off   int
	done  bool
}

// newSealingBody reads the source in chunks of recordSize, or of its
// length when that is known and shorter, so small bodies stay small.
func newSealingBody(src io.ReadCloser, length int64, key, nonce []byte, recordSize int) (*sealingBody, error) {
	n := recordSize
	if length > 0 && length < int64(n) {
		n = int(length)
	}
	s := &sealingBody{src: src, chunk: make([]byte, n)}
	rec, err := record.NewWriter(s, key, nonce, nil, recordSize)
	if err != nil {
		return nil, err
	}
	s.rec = rec
	return s, nil
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

// fill seals the next chunk of the source, or the final record at its end.
func (s *sealingBody) fill() error {
	n, err := s.src.Read(s.chunk)
	if n > 0 {
		if _, werr := s.rec.Write(s.chunk[:n]); werr != nil {
			return werr
		}
		if werr := s.rec.Flush(); werr != nil {
			return werr
		}
	}
	if err == io.EOF {
		s.done = true
		return s.rec.Close()
	}
	return err
}

func (s *sealingBody) Close() error { return s.src.Close() }
