package transport

import (
	"bytes"
	"io"

	"github.com/sealjwt/sealjwt/internal/record"
)

// sealingBody encrypts a request body as it is read, without a goroutine:
// each read from the source becomes one record, so a slow stream is sent as
// it arrives and a fast one in full records.
type sealingBody struct {
	src   io.ReadCloser
	out   bytes.Buffer
	rec   *record.Writer
	chunk []byte
	done  bool
}

func newSealingBody(src io.ReadCloser, key, nonce []byte, recordSize int) (*sealingBody, error) {
	s := &sealingBody{src: src, chunk: make([]byte, recordSize)}
	rec, err := record.NewWriter(&s.out, key, nonce, nil, recordSize)
	if err != nil {
		return nil, err
	}
	s.rec = rec
	return s, nil
}

func (s *sealingBody) Read(p []byte) (int, error) {
	for s.out.Len() == 0 {
		if s.done {
			return 0, io.EOF
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	return s.out.Read(p)
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
