package record

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/sealjwt/sealjwt/internal/errs"
)

var (
	testKey    = bytes.Repeat([]byte{0x42}, 16)
	testNonce  = []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	testPrefix = []byte{0x00, 0xC8} // status 200
)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// sealStream writes data through a Writer in chunks of chunk bytes (all at
// once if chunk <= 0), calling Flush after every flushEvery-th chunk.
func sealStream(t testing.TB, data []byte, recordSize, chunk, flushEvery int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, testKey, testNonce, testPrefix, recordSize)
	if err != nil {
		t.Fatal(err)
	}
	if chunk <= 0 {
		chunk = max(len(data), 1)
	}
	for i := 0; len(data) > 0; i++ {
		c := min(chunk, len(data))
		if n, err := w.Write(data[:c]); n != c || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		data = data[c:]
		if flushEvery > 0 && i%flushEvery == flushEvery-1 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// readers are the ways a consumer drains a stream; all must agree.
var readers = map[string]func(r *Reader) ([]byte, error){
	"read=small": func(r *Reader) ([]byte, error) { return readWith(r, 13) },
	"read=large": func(r *Reader) ([]byte, error) { return readWith(r, MaxRecordSize) },
	"read=copy": func(r *Reader) ([]byte, error) {
		var b bytes.Buffer
		_, err := io.Copy(&b, r)
		return b.Bytes(), err
	},
}

// readWith reads r to its end with a buffer of n bytes; the error is nil
// only on a clean io.EOF.
func readWith(r *Reader, n int) ([]byte, error) {
	var out []byte
	p := make([]byte, n)
	for {
		k, err := r.Read(p)
		out = append(out, p[:k]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

func openStream(t testing.TB, stream []byte, prefix []byte, maxRecordSize int, read func(*Reader) ([]byte, error)) ([]byte, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(stream), testKey, testNonce, prefix, maxRecordSize)
	if err != nil {
		t.Fatal(err)
	}
	return read(r)
}

// splitRecords cuts a well-formed stream into its framed records.
func splitRecords(t testing.TB, stream []byte) [][]byte {
	t.Helper()
	var recs [][]byte
	for len(stream) > 0 {
		n := int(binary.BigEndian.Uint32(stream)) + headerSize
		recs = append(recs, stream[:n:n])
		stream = stream[n:]
	}
	return recs
}

func TestRoundTrip(t *testing.T) {
	for _, rs := range []int{64, DefaultRecordSize} {
		for _, size := range []int{0, 1, rs - 1, rs, rs + 1, 5*rs + 7} {
			for _, w := range []struct {
				name              string
				chunk, flushEvery int
			}{{"write=once", 0, 0}, {"write=chunks", 7, 0}, {"write=chunks+flush", 7, 3}, {"write=records+flush", rs, 1}} {
				data := pattern(size)
				stream := sealStream(t, data, rs, w.chunk, w.flushEvery)
				for rname, read := range readers {
					t.Run(fmt.Sprintf("record=%d/size=%d/%s/%s", rs, size, w.name, rname), func(t *testing.T) {
						got, err := openStream(t, stream, testPrefix, rs, read)
						if err != nil || !bytes.Equal(got, data) {
							t.Fatalf("got %d bytes, %v; want %d bytes", len(got), err, len(data))
						}
					})
				}
			}
		}
	}
}

// TestSealedLen checks the predicted length against what a Writer emits,
// however the plaintext is split into writes, as long as nothing flushes.
func TestSealedLen(t *testing.T) {
	for _, rs := range []int{1, 64, DefaultRecordSize} {
		for _, size := range []int{0, 1, rs - 1, rs, rs + 1, 5*rs + 7} {
			for _, chunk := range []int{0, 1, 7} {
				want, ok := SealedLen(int64(size), rs)
				if got := len(sealStream(t, pattern(size), rs, chunk, 0)); !ok || int64(got) != want {
					t.Errorf("record=%d size=%d chunk=%d: stream is %d bytes, SealedLen %d, %v", rs, size, chunk, got, want, ok)
				}
			}
		}
	}
	for _, c := range []struct {
		n    int64
		size int
	}{{-1, 64}, {1, -1}, {1, MaxRecordSize + 1}, {math.MaxInt64, 64}, {math.MaxInt64 - 20, MaxRecordSize}} {
		if n, ok := SealedLen(c.n, c.size); ok {
			t.Errorf("SealedLen(%d, %d) = %d, want refusal", c.n, c.size, n)
		}
	}
}

// TestLayout decodes a stream by the package documentation alone, with an
// independent AES-GCM, so that the wire format cannot drift unnoticed.
func TestLayout(t *testing.T) {
	for _, keyLen := range []int{KeySize128, KeySize256} {
		key := bytes.Repeat([]byte{0x17}, keyLen)
		data := pattern(3*100 + 5)
		var out bytes.Buffer
		w, _ := NewWriter(&out, key, testNonce, testPrefix, 100)
		w.Write(data[:150])
		w.Flush() // a full record then a 50-byte flushed one
		w.Write(data[150:])
		w.Close() // then 100, and a final record of 55
		block, _ := aes.NewCipher(key)
		aead, _ := cipher.NewGCM(block)
		wantLens := []int{100, 50, 100, 55}
		recs := splitRecords(t, out.Bytes())
		if len(recs) != len(wantLens) {
			t.Fatalf("key %d: %d records, want %d", keyLen, len(recs), len(wantLens))
		}
		var got []byte
		for i, rec := range recs {
			nonce := bytes.Clone(testNonce)
			for j := range 8 {
				nonce[4+j] ^= byte(uint64(i) >> (56 - 8*j))
			}
			ad := append(bytes.Clone(testPrefix), 0)
			if i == len(recs)-1 {
				ad[len(ad)-1] = 1
			}
			pt, err := aead.Open(nil, nonce, rec[headerSize:], ad)
			if err != nil || len(pt) != wantLens[i] {
				t.Fatalf("key %d record %d: %d bytes, %v; want %d", keyLen, i, len(pt), err, wantLens[i])
			}
			got = append(got, pt...)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("key %d: plaintext differs", keyLen)
		}
	}
}

func TestTruncatedStreamNeverEndsCleanly(t *testing.T) {
	small := sealStream(t, pattern(100), 16, 10, 2)
	big := sealStream(t, pattern(5*DefaultRecordSize+7), DefaultRecordSize, 0, 0)
	var bigCuts []int
	off := 0
	for _, rec := range splitRecords(t, big) {
		bigCuts = append(bigCuts, off, off+1, off+3, off+headerSize, off+headerSize+1, off+len(rec)/2, off+len(rec)-1)
		off += len(rec)
	}
	for _, tc := range []struct {
		name   string
		stream []byte
		cuts   []int
	}{
		{"stream=small/every-offset", small, intRange(len(small))},
		{"stream=large/boundaries-and-mid-record", big, bigCuts},
	} {
		for rname, read := range readers {
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				for _, cut := range tc.cuts {
					if _, err := openStream(t, tc.stream[:cut], testPrefix, 0, read); !errors.Is(err, ErrTruncated) {
						t.Fatalf("cut at %d of %d: %v, want ErrTruncated", cut, len(tc.stream), err)
					}
				}
			})
		}
	}
}

// The reader looks ahead at the next record's length in whatever the source
// has already given; however the source splits the stream, the outcome is
// the same: the plaintext, ErrTruncated at any cut, ErrTrailingData after
// the final record.
func TestSourceSplitsDoNotMatter(t *testing.T) {
	data := pattern(5*64 + 7)
	stream := sealStream(t, data, 64, 0, 0)
	trailing := append(bytes.Clone(stream), 0, 0, 0, 16)
	sources := map[string]func(io.Reader) io.Reader{
		"source=whole":    func(r io.Reader) io.Reader { return r },
		"source=one-byte": iotest.OneByteReader,
		"source=halves":   iotest.HalfReader,
		"source=data+EOF": iotest.DataErrReader,
	}
	open := func(t *testing.T, b []byte, src func(io.Reader) io.Reader, read func(*Reader) ([]byte, error)) ([]byte, error) {
		r, err := NewReader(src(bytes.NewReader(b)), testKey, testNonce, testPrefix, 64)
		if err != nil {
			t.Fatal(err)
		}
		return read(r)
	}
	for sname, src := range sources {
		for rname, read := range readers {
			t.Run(sname+"/"+rname, func(t *testing.T) {
				if got, err := open(t, stream, src, read); err != nil || !bytes.Equal(got, data) {
					t.Fatalf("got %d bytes, %v", len(got), err)
				}
				for cut := range len(stream) {
					if _, err := open(t, stream[:cut], src, read); !errors.Is(err, ErrTruncated) {
						t.Fatalf("cut at %d: %v, want ErrTruncated", cut, err)
					}
				}
				if got, err := open(t, trailing, src, read); !errors.Is(err, ErrTrailingData) || !bytes.Equal(got, data) {
					t.Fatalf("trailing data: got %d bytes, %v; want all and ErrTrailingData", len(got), err)
				}
			})
		}
	}
}

// A full final record is legal (other writers may send one) and opens
// whether or not the source hands it over with the end of input; followed
// by data, it fails.
func TestFullFinalRecord(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, testKey, testNonce, testPrefix, 64)
	w.Write(pattern(64)) // one full non-final record
	if err := w.emit(pattern(64), true); err != nil {
		t.Fatal(err)
	}
	for rname, read := range readers {
		t.Run(rname, func(t *testing.T) {
			if got, err := openStream(t, b.Bytes(), testPrefix, 64, read); err != nil || len(got) != 128 {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
			withData := append(bytes.Clone(b.Bytes()), 0, 0, 0, 16)
			if _, err := openStream(t, withData, testPrefix, 64, read); !errors.Is(err, ErrTrailingData) && !errors.Is(err, ErrAuth) {
				t.Fatalf("full final record and data after it: %v, want an error", err)
			}
		})
	}
}

func intRange(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestRecordManipulationFails(t *testing.T) {
	recs := splitRecords(t, sealStream(t, pattern(5*64+7), 64, 0, 0)) // 6 records
	last := len(recs) - 1
	join := func(rs ...[]byte) []byte { return bytes.Join(rs, nil) }
	other := splitRecords(t, func() []byte {
		var b bytes.Buffer
		w, _ := NewWriter(&b, testKey, []byte("another-nonc"), testPrefix, 64)
		w.Write(pattern(5*64 + 7))
		w.Close()
		return b.Bytes()
	}())
	for _, tc := range []struct {
		name   string
		stream []byte
		want   error
	}{
		{"reordered", join(recs[1], recs[0], recs[2], recs[3], recs[4], recs[5]), ErrAuth},
		{"duplicated", join(recs[0], recs[0], recs[1], recs[2], recs[3], recs[4], recs[5]), ErrAuth},
		{"dropped-middle", join(recs[0], recs[2], recs[3], recs[4], recs[5]), ErrAuth},
		{"dropped-first", join(recs[1:]...), ErrAuth},
		{"dropped-final", join(recs[:last]...), ErrTruncated},
		{"final-moved-early", join(recs[0], recs[last]), ErrAuth},
		{"spliced-from-other-stream", join(recs[0], other[1], recs[2], recs[3], recs[4], recs[5]), ErrAuth},
		{"final-replayed-after-final", join(append(recs, recs[last])...), ErrTrailingData},
	} {
		for rname, read := range readers {
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				if _, err := openStream(t, tc.stream, testPrefix, 64, read); !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			})
		}
	}
}

func TestTamperedByteFails(t *testing.T) {
	stream := sealStream(t, pattern(70), 16, 0, 0)
	data := pattern(70)
	for i := range stream {
		for _, flip := range []byte{0x01, 0x80} {
			bad := bytes.Clone(stream)
			bad[i] ^= flip
			got, err := openStream(t, bad, testPrefix, 16, readers["read=small"])
			if err == nil {
				t.Fatalf("byte %d ^ %#x: accepted", i, flip)
			}
			if !bytes.HasPrefix(data, got) {
				t.Fatalf("byte %d ^ %#x: returned plaintext that was never sent", i, flip)
			}
			// Tags fail as ErrAuth; a tampered length misframes the
			// stream and fails as whichever check it reaches first.
			if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("byte %d ^ %#x: unexpected error %v", i, flip, err)
			}
		}
	}
}

func TestWrongPrefixFails(t *testing.T) {
	stream := sealStream(t, pattern(100), 64, 0, 0)
	for _, tc := range []struct {
		name   string
		prefix []byte
	}{
		{"status-200-read-as-500", []byte{0x01, 0xF4}},
		{"prefix-dropped", nil},
		{"prefix-extended", []byte{0x00, 0xC8, 0x00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := openStream(t, stream, tc.prefix, 64, readers["read=large"]); !errors.Is(err, ErrAuth) || len(got) != 0 {
				t.Fatalf("got %d bytes, %v; want ErrAuth and nothing", len(got), err)
			}
		})
	}
}

func TestEmptyNonFinalRecordFails(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, testKey, testNonce, testPrefix, 64)
	w.Write([]byte("x"))
	w.Flush()
	if err := w.emit(nil, false); err != nil { // what a broken writer would send
		t.Fatal(err)
	}
	w.Write([]byte("y"))
	w.Close()
	for rname, read := range readers {
		t.Run(rname, func(t *testing.T) {
			if _, err := openStream(t, b.Bytes(), testPrefix, 64, read); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestDataAfterFinalRecordFails(t *testing.T) {
	stream := sealStream(t, pattern(100), 64, 0, 0)
	for _, tc := range []struct {
		name  string
		extra []byte
	}{
		{"one-byte", []byte{0}},
		{"second-stream", stream},
		{"empty-record-frame", []byte{0, 0, 0, 16}},
	} {
		for rname, read := range readers {
			t.Run(tc.name+"/"+rname, func(t *testing.T) {
				got, err := openStream(t, append(bytes.Clone(stream), tc.extra...), testPrefix, 64, read)
				if !errors.Is(err, ErrTrailingData) || !errors.Is(err, errs.ErrMalformed) {
					t.Fatalf("got %v, want ErrTrailingData", err)
				}
				if !bytes.Equal(got, pattern(100)) {
					t.Fatalf("authenticated plaintext before the trailing data was not delivered")
				}
			})
		}
	}
}

func TestBadLengthRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length uint32
		max    int
		want   error
	}{
		{"length=2^32-1", math.MaxUint32, 0, ErrTooLarge},
		{"length=2^32-1/max=MaxRecordSize", math.MaxUint32, MaxRecordSize, ErrTooLarge},
		{"length=MaxRecordSize+17", MaxRecordSize + tagSize + 1, MaxRecordSize, ErrTooLarge},
		{"length=max+17", 64 + tagSize + 1, 64, ErrTooLarge},
		{"length=max+16-is-allowed", 64 + tagSize, 64, ErrTruncated},
		{"length=0", 0, 0, ErrMalformed},
		{"length=15", tagSize - 1, 0, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in [headerSize + 8]byte
			binary.BigEndian.PutUint32(in[:], tc.length)
			if _, err := openStream(t, in[:], testPrefix, tc.max, readers["read=small"]); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestHugeLengthRefusedBeforeAllocation shows that a length of 2^32-1 costs
// no more than setting up the reader: nothing is allocated for the record.
func TestHugeLengthRefusedBeforeAllocation(t *testing.T) {
	in := []byte{0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3}
	src := bytes.NewReader(in)
	p := make([]byte, 64)
	refuse := func() {
		src.Reset(in)
		r, _ := NewReader(src, testKey, testNonce, nil, MaxRecordSize)
		if _, err := r.Read(p); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	}
	setup := func() {
		src.Reset(in)
		NewReader(src, testKey, testNonce, nil, MaxRecordSize)
	}
	var before, after runtime.MemStats
	const runs = 100
	runtime.ReadMemStats(&before)
	allocs := testing.AllocsPerRun(runs, refuse)
	runtime.ReadMemStats(&after)
	base := testing.AllocsPerRun(runs, setup)
	if allocs > base {
		t.Errorf("refusing the record took %v allocations per run, setting up the reader %v", allocs, base)
	}
	if perRun := (after.TotalAlloc - before.TotalAlloc) / (runs + 1); perRun > 16<<10 {
		t.Errorf("refusing the record allocated %d bytes per run", perRun)
	}
}

func TestCounterExhaustionFails(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, testKey, testNonce, nil, 16)
	w.s.seq = math.MaxUint64 - 1
	w.Write(pattern(16))              // record 2^64-2
	if err := w.Close(); err != nil { // record 2^64-1, the last nonce
		t.Fatalf("last counter value: %v", err)
	}
	r, _ := NewReader(bytes.NewReader(b.Bytes()), testKey, testNonce, nil, 16)
	r.s.seq = math.MaxUint64 - 1
	if got, err := readWith(r, 100); err != nil || !bytes.Equal(got, pattern(16)) {
		t.Fatalf("reading up to the last counter: %v", err)
	}

	b.Reset()
	w, _ = NewWriter(&b, testKey, testNonce, nil, 16)
	w.s.seq = math.MaxUint64
	w.Write(pattern(16))
	if err := w.Close(); !errors.Is(err, ErrTooManyRecords) {
		t.Fatalf("writer past the last counter: %v, want ErrTooManyRecords", err)
	}
	stream := append(bytes.Clone(b.Bytes()), b.Bytes()...) // two records under the last nonce
	r, _ = NewReader(bytes.NewReader(stream), testKey, testNonce, nil, 16)
	r.s.seq = math.MaxUint64
	if _, err := readWith(r, 100); !errors.Is(err, ErrTooManyRecords) {
		t.Fatalf("reader past the last counter: %v, want ErrTooManyRecords", err)
	}
}

func TestBadParametersRefused(t *testing.T) {
	for _, tc := range []struct {
		name         string
		key, nonce   []byte
		size         int
		wantKeyError bool
	}{
		{"key=15", make([]byte, 15), testNonce, 0, true},
		{"key=24", make([]byte, 24), testNonce, 0, true},
		{"key=none", nil, testNonce, 0, true},
		{"nonce=8", testKey, make([]byte, 8), 0, true},
		{"size=-1", testKey, testNonce, -1, false},
		{"size=MaxRecordSize+1", testKey, testNonce, MaxRecordSize + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, werr := NewWriter(io.Discard, tc.key, tc.nonce, nil, tc.size)
			_, rerr := NewReader(bytes.NewReader(nil), tc.key, tc.nonce, nil, tc.size)
			for _, err := range []error{werr, rerr} {
				if err == nil || errors.Is(err, errs.ErrInvalidKey) != tc.wantKeyError {
					t.Fatalf("got %v", err)
				}
			}
		})
	}
}

type flushRecorder struct {
	bytes.Buffer
	flushes int
}

func (f *flushRecorder) Flush() { f.flushes++ }

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n--; f.n < 0 {
		return 0, errors.New("connection reset")
	}
	return len(p), nil
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriterBehaviour(t *testing.T) {
	t.Run("flush-reaches-http-flusher", func(t *testing.T) {
		var f flushRecorder
		w, _ := NewWriter(&f, testKey, testNonce, nil, 64)
		w.Write([]byte("partial"))
		if err := w.Flush(); err != nil || f.flushes != 1 || f.Len() != headerSize+7+tagSize {
			t.Fatalf("Flush: %v, %d flushes, %d bytes out", err, f.flushes, f.Len())
		}
		w.Flush() // nothing buffered: no empty record, but still flushes
		if f.flushes != 2 || f.Len() != headerSize+7+tagSize {
			t.Fatalf("empty Flush wrote %d bytes", f.Len()-(headerSize+7+tagSize))
		}
	})
	t.Run("write-after-close", func(t *testing.T) {
		w, _ := NewWriter(io.Discard, testKey, testNonce, nil, 64)
		w.Close()
		if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
			t.Fatalf("got %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
	t.Run("write-error-is-sticky", func(t *testing.T) {
		w, _ := NewWriter(&failingWriter{n: 1}, testKey, testNonce, nil, 4)
		if n, err := w.Write(pattern(12)); err == nil || n != 4 {
			t.Fatalf("Write = %d, %v; want 4 (one record delivered) and an error", n, err)
		}
		if err := w.Close(); err == nil {
			t.Fatal("Close after a write error succeeded")
		}
	})
	t.Run("short-write", func(t *testing.T) {
		w, _ := NewWriter(shortWriter{}, testKey, testNonce, nil, 4)
		if err := w.Close(); !errors.Is(err, io.ErrShortWrite) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestReaderErrorsAreSticky(t *testing.T) {
	stream := sealStream(t, pattern(100), 64, 0, 0)
	stream[10] ^= 1
	r, _ := NewReader(bytes.NewReader(stream), testKey, testNonce, testPrefix, 64)
	p := make([]byte, 200)
	for range 3 {
		if n, err := r.Read(p); n != 0 || !errors.Is(err, ErrAuth) {
			t.Fatalf("Read = %d, %v", n, err)
		}
	}
}

// TestAllocationsDoNotGrowWithSize shows that a stream costs a fixed number
// of allocations (its buffers) however long it runs.
func TestAllocationsDoNotGrowWithSize(t *testing.T) {
	cost := func(size int) (seal, open float64) {
		data := pattern(size)
		stream := sealStream(t, data, 0, 0, 0)
		src := bytes.NewReader(stream)
		seal = testing.AllocsPerRun(5, func() {
			w, _ := NewWriter(io.Discard, testKey, testNonce, testPrefix, 0)
			w.Write(data)
			w.Close()
		})
		open = testing.AllocsPerRun(5, func() {
			src.Reset(stream)
			r, _ := NewReader(src, testKey, testNonce, testPrefix, 0)
			if n, err := io.Copy(io.Discard, r); err != nil || n != int64(size) {
				t.Fatal(n, err)
			}
		})
		return seal, open
	}
	s1, o1 := cost(2 * DefaultRecordSize)
	s2, o2 := cost(64 * DefaultRecordSize)
	if s1 != s2 || o1 != o2 {
		t.Fatalf("allocations grow with size: seal %v -> %v, open %v -> %v", s1, s2, o1, o2)
	}
}

type failingFlusher struct{ bytes.Buffer }

func (*failingFlusher) Flush() error { return errors.New("broken pipe") }

func TestFlushErrorIsSticky(t *testing.T) {
	w, _ := NewWriter(&failingFlusher{}, testKey, testNonce, nil, 64)
	w.Write([]byte("x"))
	if err := w.Flush(); err == nil {
		t.Fatal("Flush hid the underlying error")
	}
	if _, err := w.Write([]byte("y")); err == nil {
		t.Fatal("Write after a failed Flush succeeded")
	}
}

// errAfter returns data, then err instead of io.EOF.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

// TestTransportErrorIsNotEndOfStream shows that a failing connection is
// reported as its own error, not as a truncation and never as io.EOF, both
// inside the stream and where only the end of input was still to be seen.
func TestTransportErrorIsNotEndOfStream(t *testing.T) {
	reset := errors.New("connection reset")
	stream := sealStream(t, pattern(300), 64, 0, 0)
	for _, cut := range []int{0, 10, len(stream) - 1, len(stream)} {
		for rname, read := range readers {
			r, _ := NewReader(&errAfter{stream[:cut], reset}, testKey, testNonce, testPrefix, 64)
			if _, err := read(r); !errors.Is(err, reset) {
				t.Fatalf("cut %d, %s: got %v, want the transport error", cut, rname, err)
			}
		}
	}
}

// TestLargeRecords covers records up to MaxRecordSize, where the reader's
// buffers grow past their first size.
func TestLargeRecords(t *testing.T) {
	data := pattern(2*MaxRecordSize + 3)
	var b bytes.Buffer
	w, _ := NewWriter(&b, testKey, testNonce, testPrefix, MaxRecordSize)
	w.Write(data[:100])
	w.Flush() // a small record first, then full ones
	w.Write(data[100:])
	w.Close()
	stream := b.Bytes()
	for rname, read := range readers {
		got, err := openStream(t, stream, testPrefix, MaxRecordSize, read)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: %d bytes, %v", rname, len(got), err)
		}
	}
	if _, err := openStream(t, stream, testPrefix, MaxRecordSize-1, readers["read=large"]); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("reader with a smaller maximum: %v, want ErrTooLarge", err)
	}
}

func TestOpenAuthenticatesBeforeReading(t *testing.T) {
	for _, tt := range []struct {
		name    string
		payload []byte
		prefix  []byte
		wantErr error
	}{
		{"first record verified", []byte("status verified"), testPrefix, nil},
		{"empty stream verified", nil, testPrefix, nil},
		{"tampered prefix (status code) refused", []byte("x"), []byte{0x01, 0xf4}, ErrAuth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stream := sealStream(t, tt.payload, DefaultRecordSize, 0, 0)
			r, err := NewReader(bytes.NewReader(stream), testKey, testNonce, tt.prefix, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Open(); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open() = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, tt.payload) {
				t.Fatalf("after Open read %q, %v; want %q", got, err, tt.payload)
			}
		})
	}
}
