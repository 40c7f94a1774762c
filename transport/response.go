package transport

import (
	"bytes"
	"crypto/rand"
	"net/http"

	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/internal/strict"
	"github.com/sealjwt/sealjwt/seal"
)

// sealingWriter encrypts the handler's response as it is written: its
// headers first, as a field section at the start of the sealed stream,
// then its body. The status code is bound into every record. The handler's
// headers never reach the wire. It deliberately has no Unwrap:
// http.ResponseController must not reach the plaintext connection.
type sealingWriter struct {
	w          http.ResponseWriter
	header     http.Header // the handler's headers, sealed
	sc         *seal.Context
	recordSize int
	head       bool

	wroteHeader bool
	rec         *record.Writer
	err         error
}

func newSealingWriter(w http.ResponseWriter, sc *seal.Context, recordSize int, head bool) *sealingWriter {
	return &sealingWriter{w: w, header: http.Header{}, sc: sc, recordSize: recordSize, head: head}
}

func (s *sealingWriter) Header() http.Header { return s.header }

// bodyAllowed reports whether HTTP lets a response with this status carry
// a body (RFC 9110 sections 6.4.1, 15.3.5, 15.4.5).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func (s *sealingWriter) WriteHeader(status int) {
	if s.wroteHeader {
		return
	}
	if status < 200 { // informational: no body, passed through unsealed
		s.w.WriteHeader(status)
		return
	}
	s.wroteHeader = true
	s.err = s.start(status)
}

// start derives the response key from a fresh nonce and writes the
// headers. A body-less response (HEAD, 204, 304) carries its sealed final
// record in a header instead, so its status is authenticated too.
func (s *sealingWriter) start(status int) error {
	nonce := make([]byte, responseNonceSize)
	_, _ = rand.Read(nonce)
	key, baseNonce, err := streamkey.Response(s.sc, nonce)
	if err != nil {
		s.w.WriteHeader(http.StatusInternalServerError)
		return err
	}
	fields := appendFieldSection(nil, s.header, sealableField)
	h := s.w.Header()
	clear(h)
	h.Set(headerResponseNonce, strict.Encode(nonce))
	h.Set("Content-Type", recordsContentType)
	prefix := responsePrefix(status)
	if s.head || !bodyAllowed(status) {
		var final bytes.Buffer
		rw, err := record.NewWriter(&final, key, baseNonce, prefix, s.recordSize)
		if err == nil {
			_, err = rw.Write(fields)
		}
		if err == nil {
			err = rw.Close()
		}
		h.Set(headerFinal, strict.Encode(final.Bytes()))
		s.w.WriteHeader(status)
		return err
	}
	s.w.WriteHeader(status)
	if s.rec, err = record.NewWriter(s.w, key, baseNonce, prefix, s.recordSize); err != nil {
		return err
	}
	if _, err = s.rec.Write(fields); err == nil && len(fields) > s.recordSize {
		err = s.rec.Flush() // the client reads all of them before it returns
	}
	return err
}

func (s *sealingWriter) Write(p []byte) (int, error) {
	if !s.wroteHeader && s.header.Get("Content-Type") == "" && len(p) > 0 {
		s.header.Set("Content-Type", http.DetectContentType(p))
	}
	rec, err := s.records()
	switch {
	case err != nil:
		return 0, err
	case rec == nil && s.head:
		return len(p), nil // as net/http does for HEAD
	case rec == nil:
		return 0, http.ErrBodyNotAllowed
	}
	return rec.Write(p)
}

// Flush sends what has been written so far as a record.
func (s *sealingWriter) Flush() { _ = s.FlushError() }

// FlushError is Flush for http.ResponseController.
func (s *sealingWriter) FlushError() error {
	rec, err := s.records()
	if err != nil || rec == nil {
		return err
	}
	return rec.Flush()
}

// records starts the response with 200 if the handler has not, and returns
// its record writer: nil for a response that carries no body.
func (s *sealingWriter) records() (*record.Writer, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	return s.rec, s.err
}

// EnableFullDuplex lets the handler keep reading the request body after
// it starts writing the response (http.ResponseController).
func (s *sealingWriter) EnableFullDuplex() error {
	return http.NewResponseController(s.w).EnableFullDuplex()
}

// finish writes the final record once the handler has returned.
func (s *sealingWriter) finish() error {
	rec, err := s.records()
	if err != nil || rec == nil {
		return err
	}
	return rec.Close()
}
