package record

import (
	"encoding/binary"
	"io"
	"math"
)

// Writer encrypts what is written to it into a record stream. It is not
// safe for concurrent use.
type Writer struct {
	w      io.Writer
	s      stream
	size   int    // plaintext bytes per full record
	buf    []byte // length || plaintext, sealed in place into length || ciphertext || tag
	n      int    // plaintext bytes buffered at buf[headerSize:]
	err    error  // first write error; the stream is unusable after it
	closed bool
}

// NewWriter returns a Writer that writes records of at most recordSize
// plaintext bytes (0 means DefaultRecordSize) to w, sealed under key and
// baseNonce, with prefix bound into every record's additional data. The
// key, nonce and prefix are copied.
func NewWriter(w io.Writer, key, baseNonce, prefix []byte, recordSize int) (*Writer, error) {
	size, err := checkRecordSize(recordSize)
	if err != nil {
		return nil, err
	}
	s, err := newStream(key, baseNonce, prefix)
	if err != nil {
		return nil, err
	}
	return &Writer{w: w, s: s, size: size}, nil
}

// SealedLen is the length of the stream a Writer with recordSize (0 means
// DefaultRecordSize) produces for n plaintext bytes written without Flush
// and then closed: full records, then a final one with the rest. It
// reports false for a negative n, an invalid size, or a length past int64.
func SealedLen(n int64, recordSize int) (int64, bool) {
	size, err := checkRecordSize(recordSize)
	if err != nil || n < 0 {
		return 0, false
	}
	records := n/int64(size) + 1
	overhead := records * (headerSize + tagSize)
	if n > math.MaxInt64-overhead {
		return 0, false
	}
	return n + overhead, true
}

// Write buffers p and emits a non-final record each time a full record's
// worth of plaintext has accumulated.
func (w *Writer) Write(p []byte) (int, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	written := 0
	for len(p) > 0 {
		w.reserve(min(w.size, w.n+len(p)))
		if w.n == 0 && len(p) >= w.size {
			// Seal straight from p into the buffer: a large write then
			// costs no extra copy.
			if err := w.emit(p[:w.size], false); err != nil {
				return written, err
			}
			p, written = p[w.size:], written+w.size
			continue
		}
		c := copy(w.buf[headerSize+w.n:len(w.buf)-tagSize], p)
		w.n += c
		p, written = p[c:], written+c
		if w.n == w.size {
			if err := w.emit(w.buffered(), false); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Flush emits the buffered plaintext, if any, as a non-final record, then
// flushes the underlying writer if it has a Flush() error or Flush() method
// (as bufio.Writer and http.ResponseWriter do), so that the peer can read
// what was written so far.
func (w *Writer) Flush() error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.n > 0 {
		if err := w.emit(w.buffered(), false); err != nil {
			return err
		}
	}
	switch f := w.w.(type) {
	case interface{ Flush() error }:
		if err := f.Flush(); err != nil {
			w.err = err
			return err
		}
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// Close emits the final record holding the remaining buffered plaintext,
// possibly none. It does not close or flush the underlying writer. Calling
// Close again returns the first call's result.
func (w *Writer) Close() error {
	if w.closed || w.err != nil {
		return w.err
	}
	err := w.emit(w.buffered(), true)
	w.closed = true
	return err
}

func (w *Writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	return nil
}

func (w *Writer) buffered() []byte {
	if w.n == 0 {
		return nil
	}
	return w.buf[headerSize : headerSize+w.n]
}

// reserve makes room for n bytes of plaintext. The buffer is allocated on
// first use: a short message gets a short buffer, anything longer the full
// record size, so a Writer allocates at most twice.
func (w *Writer) reserve(n int) {
	if len(w.buf) >= headerSize+n+tagSize {
		return
	}
	size := w.size
	if w.buf == nil && n <= shortRecord {
		size = min(w.size, shortRecord)
	}
	buf := make([]byte, headerSize+size+tagSize)
	if w.n > 0 {
		copy(buf[headerSize:], w.buffered())
	}
	w.buf = buf
}

// emit seals pt (the buffered plaintext or a full record of the caller's)
// into the buffer and writes length and sealed record in one call.
func (w *Writer) emit(pt []byte, final bool) error {
	w.reserve(len(pt))
	nonce, err := w.s.recordNonce()
	if err != nil {
		w.err = err
		return err
	}
	sealed := w.s.aead.Seal(w.buf[headerSize:headerSize], nonce, pt, w.s.additionalData(final))
	w.s.advance()
	w.n = 0
	binary.BigEndian.PutUint32(w.buf[:headerSize], uint32(len(sealed)))
	rec := w.buf[:headerSize+len(sealed)]
	n, err := w.w.Write(rec)
	if err == nil && n < len(rec) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
	}
	return err
}
