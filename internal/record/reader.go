package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Reader decrypts a record stream. It returns plaintext only from records
// that authenticated, and io.EOF only after an authenticated final record
// followed by the end of input. It is not safe for concurrent use.
type Reader struct {
	r       io.Reader
	s       stream
	max     int // plaintext bytes a record may carry
	hdr     [headerSize]byte
	ahead   int    // bytes of the next length already read into hdr
	sealed  []byte // the current sealed record and what followed it; grows on demand up to max+tagSize+headerSize
	plain   []byte // plaintext buffer for reads smaller than a record
	pending []byte // authenticated plaintext not yet returned (inside plain, or sealed when opened in place)
	final   bool   // the final record was opened
	err     error  // sticky: io.EOF or the first failure
}

// NewReader returns a Reader of the stream in r, sealed under key and
// baseNonce with prefix bound into every record. Records carrying more than
// maxRecordSize plaintext bytes (0 means DefaultRecordSize) are refused
// before anything is allocated for them. The key, nonce and prefix are
// copied.
func NewReader(r io.Reader, key, baseNonce, prefix []byte, maxRecordSize int) (*Reader, error) {
	size, err := checkRecordSize(maxRecordSize)
	if err != nil {
		return nil, err
	}
	s, err := newStream(key, baseNonce, prefix)
	if err != nil {
		return nil, err
	}
	return &Reader{r: r, s: s, max: size}, nil
}

// Err returns the stream's first failure: nil while it is intact and after
// its authenticated end.
func (r *Reader) Err() error {
	if r.err == io.EOF {
		return nil
	}
	return r.err
}

// Read reads authenticated plaintext into p.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		n, err := r.next(p)
		if err != nil {
			r.err = err
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// Open authenticates the next record now, keeping its plaintext for the
// following reads. A caller uses it to have the stream's prefix (say, a
// response status) verified before handing the stream on. It returns nil
// at the end of a complete stream and the stream's error otherwise.
func (r *Reader) Open() error {
	if len(r.pending) > 0 || r.err != nil {
		if r.err == io.EOF {
			return nil
		}
		return r.err
	}
	if _, err := r.next(nil); err != nil {
		r.err = err
		if err == io.EOF {
			return nil
		}
		return err
	}
	return nil
}

// WriteTo writes the remaining plaintext to w, record by record, so that
// io.Copy moves whole records without an intermediate buffer.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.pending) > 0 {
			n, err := w.Write(r.pending)
			total += int64(n)
			if err == nil && n < len(r.pending) {
				err = io.ErrShortWrite
			}
			r.pending = r.pending[n:]
			if err != nil {
				return total, err
			}
			continue
		}
		if r.err != nil {
			if r.err == io.EOF {
				return total, nil
			}
			return total, r.err
		}
		if _, err := r.next(nil); err != nil {
			r.err = err
		}
	}
}

// next advances the stream by one step. When the final record has been
// opened, that step is checking for the end of input. Otherwise it reads and
// opens one record: directly into dst when the plaintext fits (returning its
// length), or else in place or into r.plain, leaving it in r.pending.
func (r *Reader) next(dst []byte) (int, error) {
	if r.final {
		return 0, r.checkEnd()
	}
	sealed, more, err := r.readRecord()
	if err != nil {
		return 0, err
	}
	ptLen := len(sealed) - tagSize
	switch {
	case len(dst) >= ptLen:
		pt, err := r.open(dst[:0], sealed, true)
		return len(pt), err
	case more && ptLen == r.max:
		// Bytes follow a full record: the bulk of a long stream. It is
		// opened in place, as non-final only, which saves a buffer the
		// size of a record from going through the cache. (Our writers
		// never send a full final record; another writer's full final
		// record followed by data fails here as ErrAuth rather than as
		// ErrTrailingData.)
		r.pending, err = r.open(sealed[:0], sealed, false)
	default:
		r.plain = grow(r.plain, ptLen, r.max)
		r.pending, err = r.open(r.plain[:0], sealed, true)
	}
	return 0, err
}

// readRecord reads one length and sealed record, checking the length before
// allocating anything for it. It asks the source for the next record's
// length too, but waits only for the current record: more reports that
// bytes followed it in what the source had already given, so that it can
// only be valid as a non-final record. This also halves the reads from the
// source.
func (r *Reader) readRecord() (sealed []byte, more bool, err error) {
	if _, err := io.ReadFull(r.r, r.hdr[r.ahead:]); err != nil {
		return nil, false, truncation(err)
	}
	n := binary.BigEndian.Uint32(r.hdr[:])
	if n < tagSize {
		return nil, false, fmt.Errorf("%w: record length %d is shorter than the tag", ErrMalformed, n)
	}
	if uint64(n) > uint64(r.max)+tagSize {
		return nil, false, ErrTooLarge
	}
	r.sealed = grow(r.sealed, int(n)+headerSize, r.max+tagSize+headerSize)
	got, err := io.ReadAtLeast(r.r, r.sealed, int(n))
	if err != nil {
		return nil, false, truncation(err)
	}
	r.ahead = copy(r.hdr[:], r.sealed[n:got])
	return r.sealed[:n], r.ahead > 0, nil
}

// open authenticates and decrypts sealed into dst. The final flag is not
// sent in the clear, so with mayBeFinal the record is tried as non-final
// first (the common case) and then as final; dst must not overlap sealed
// then, because a failed GCM open wipes its output and the second attempt
// still needs the ciphertext. Without it, the record is opened as
// non-final only, and dst may be sealed[:0].
func (r *Reader) open(dst, sealed []byte, mayBeFinal bool) ([]byte, error) {
	nonce, err := r.s.recordNonce()
	if err != nil {
		return nil, err
	}
	final := false
	pt, err := r.s.aead.Open(dst, nonce, sealed, r.s.additionalData(false))
	if err != nil && mayBeFinal {
		final = true
		pt, err = r.s.aead.Open(dst, nonce, sealed, r.s.additionalData(true))
	}
	if err != nil {
		return nil, ErrAuth
	}
	if !final && len(pt) == 0 {
		// An empty non-final record moves nothing; refusing it keeps a
		// writer bug from looking like a live stream.
		return nil, fmt.Errorf("%w: empty non-final record", ErrMalformed)
	}
	r.s.advance()
	r.final = final
	return pt, nil
}

// checkEnd verifies that no byte follows the final record.
func (r *Reader) checkEnd() error {
	if r.ahead > 0 {
		return ErrTrailingData
	}
	var b [1]byte
	n, err := io.ReadFull(r.r, b[:])
	switch {
	case n > 0:
		return ErrTrailingData
	case errors.Is(err, io.EOF):
		return io.EOF
	default:
		return err
	}
}

// truncation turns the end of input inside the stream into ErrTruncated so
// that no caller mistakes it for the end of the body.
func truncation(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrTruncated
	}
	return err
}

// grow returns b resliced to n bytes, reallocating only when its capacity
// is short. A short first record (a small message) gets exactly its size;
// otherwise a record up to the default size gets a default-size buffer
// (or the limit, if lower), and a larger record grows the buffer straight
// to the limit, so a buffer is reallocated at most three times.
func grow(b []byte, n, limit int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	c := limit
	switch small := DefaultRecordSize + tagSize; {
	case cap(b) == 0 && n <= shortRecord:
		c = n
	case n <= small && small < limit:
		c = small
	}
	return make([]byte, n, c)
}
