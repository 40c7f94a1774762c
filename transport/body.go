package transport

import (
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/record"
)

// ErrBodyTooLarge is returned by the handler's request body past the
// configured maximum.
var ErrBodyTooLarge = fmt.Errorf("%w: request body", sealjwt.ErrTooLarge)

// plainBody is a decrypted body as a handler or a caller reads it. It
// fails, rather than truncates, past its limit, and it is an io.WriterTo so
// that io.Copy moves whole records without a buffer of its own.
type plainBody struct {
	rd     *record.Reader
	closer io.Closer // the underlying encrypted body
	left   int64     // bytes still allowed; ignored when unlimited
	limit  bool
	read   int64 // plaintext bytes handed out
	over   bool  // the limit was passed
}

func newPlainBody(rd *record.Reader, closer io.Closer, max int64) *plainBody {
	return &plainBody{rd: rd, closer: closer, left: max, limit: max >= 0}
}

func (b *plainBody) Read(p []byte) (int, error) {
	n, err := b.rd.Read(p)
	return b.count(n, err)
}

func (b *plainBody) WriteTo(w io.Writer) (int64, error) {
	if !b.limit {
		n, err := b.rd.WriteTo(w)
		b.read += n
		return n, err
	}
	return b.rd.WriteTo(limitWriter{b, w})
}

func (b *plainBody) Close() error { return b.closer.Close() }

func (b *plainBody) count(n int, err error) (int, error) {
	if b.limit {
		if b.left -= int64(n); b.left < 0 {
			b.over = true
			return 0, ErrBodyTooLarge
		}
	}
	b.read += int64(n)
	return n, err
}

// failure is why the body could not be read in full: nil if it was
// intact as far as it was read.
func (b *plainBody) failure() error {
	if b.over {
		return ErrBodyTooLarge
	}
	return b.rd.Err()
}

// limitWriter charges what WriteTo passes on against the body's limit.
type limitWriter struct {
	b *plainBody
	w io.Writer
}

func (l limitWriter) Write(p []byte) (int, error) {
	if _, err := l.b.count(len(p), nil); err != nil {
		return 0, err
	}
	return l.w.Write(p)
}
