package record

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"testing"
)

const benchSize = 64 << 20

// BenchmarkStream measures sealing and opening a whole 64 MiB stream with
// AES-128-GCM and the default record size, setup included, against
// BenchmarkFloorAEAD.
func BenchmarkStream(b *testing.B) {
	src := pattern(benchSize)
	key := testKey // AES-128, as the floor
	b.Run("op=Seal/size=64MiB", func(b *testing.B) {
		b.SetBytes(benchSize)
		b.ReportAllocs()
		for b.Loop() {
			w, err := NewWriter(io.Discard, key, testNonce, testPrefix, DefaultRecordSize)
			if err != nil {
				b.Fatal(err)
			}
			w.Write(src)
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=Open/size=64MiB", func(b *testing.B) {
		sealed := sealStream(b, src, DefaultRecordSize, 0, 0)
		in := bytes.NewReader(sealed)
		b.SetBytes(benchSize)
		b.ReportAllocs()
		for b.Loop() {
			in.Reset(sealed)
			r, err := NewReader(in, key, testNonce, testPrefix, DefaultRecordSize)
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, r); err != nil || n != benchSize {
				b.Fatal(n, err)
			}
		}
	})
}

// BenchmarkFloorAEAD is raw AES-128-GCM sealing the same bytes in records of
// the same size into a reused buffer: the cost of the cryptography alone.
func BenchmarkFloorAEAD(b *testing.B) {
	src := pattern(benchSize)
	block, _ := aes.NewCipher(testKey)
	aead, _ := cipher.NewGCM(block)
	buf := make([]byte, DefaultRecordSize+tagSize)
	nonce := make([]byte, NonceSize)
	b.Run("size=64MiB", func(b *testing.B) {
		b.SetBytes(benchSize)
		b.ReportAllocs()
		for b.Loop() {
			for off := 0; off < len(src); off += DefaultRecordSize {
				aead.Seal(buf[:0], nonce, src[off:off+DefaultRecordSize], testPrefix)
			}
		}
	})
}

// BenchmarkFloorAEADFromReader is the raw AES-128-GCM open of the same
// records when they must first be read from an io.Reader, as any stream
// reader must: it separates the copy out of the source, which the raw
// floor above does not pay, from the framing's own cost.
func BenchmarkFloorAEADFromReader(b *testing.B) {
	src := pattern(benchSize)
	block, _ := aes.NewCipher(testKey)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, NonceSize)
	var sealed []byte
	for off := 0; off < len(src); off += DefaultRecordSize {
		sealed = aead.Seal(sealed, nonce, src[off:off+DefaultRecordSize], testPrefix)
	}
	in := bytes.NewReader(sealed)
	buf := make([]byte, DefaultRecordSize+tagSize)
	b.Run("size=64MiB", func(b *testing.B) {
		b.SetBytes(benchSize)
		b.ReportAllocs()
		for b.Loop() {
			in.Reset(sealed)
			for range benchSize / DefaultRecordSize {
				if _, err := io.ReadFull(in, buf); err != nil {
					b.Fatal(err)
				}
				if _, err := aead.Open(buf[:0], nonce, buf, testPrefix); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
