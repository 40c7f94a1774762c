package sealjwt_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// The stream benchmarks move 64 MiB through SealStream and OpenStream,
// envelope included, against raw AES-GCM on the same bytes in records of
// the same size with a key of the size the suite gives the stream:
// AES-128 for HPKE-3, AES-256 for HPKE-9.

const streamBenchSize = 64 << 20

var streamBenchCases = []struct {
	suite seal.Alg
	aes   int // key bytes
}{
	{seal.HPKE3, 16},
	{seal.HPKE9, 32},
}

func BenchmarkSealStream(b *testing.B) {
	src := streamData(streamBenchSize)
	for _, c := range streamBenchCases {
		b.Run("suite="+string(c.suite)+"/size=64MiB", func(b *testing.B) {
			sender, recv := newParty(b, "billing", c.suite, token.EdDSA), newParty(b, "ledger", c.suite, token.EdDSA)
			s, pub, ctx := sender.sealer(b), recv.pub(), context.Background()
			b.SetBytes(streamBenchSize)
			b.ReportAllocs()
			for b.Loop() {
				w, err := s.SealStream(ctx, io.Discard, pub, recv.id, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.Write(src); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpenStream(b *testing.B) {
	src := streamData(streamBenchSize)
	for _, c := range streamBenchCases {
		b.Run("suite="+string(c.suite)+"/size=64MiB", func(b *testing.B) {
			sender, recv := newParty(b, "billing", c.suite, token.EdDSA), newParty(b, "ledger", c.suite, token.EdDSA)
			sealed := sealStream(b, sender, recv, src, len(src))
			o, ctx, in := recv.opener(b, acceptAll{}, sender), context.Background(), bytes.NewReader(sealed)
			b.SetBytes(streamBenchSize)
			b.ReportAllocs()
			for b.Loop() {
				in.Reset(sealed)
				_, rd, err := o.OpenStream(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, rd); err != nil || n != streamBenchSize {
					b.Fatal(n, err)
				}
			}
		})
	}
}

func floorGCM(keySize int) cipher.AEAD {
	block, _ := aes.NewCipher(make([]byte, keySize))
	aead, _ := cipher.NewGCM(block)
	return aead
}

// BenchmarkFloorAEAD is raw AES-GCM sealing the same bytes in records of
// StreamRecordSize into a reused buffer: the cryptography alone.
func BenchmarkFloorAEAD(b *testing.B) {
	src := streamData(streamBenchSize)
	for _, c := range streamBenchCases {
		b.Run("suite="+string(c.suite)+"/size=64MiB", func(b *testing.B) {
			aead, nonce := floorGCM(c.aes), make([]byte, 12)
			buf := make([]byte, sealjwt.StreamRecordSize+16)
			b.SetBytes(streamBenchSize)
			b.ReportAllocs()
			for b.Loop() {
				for off := 0; off < len(src); off += sealjwt.StreamRecordSize {
					aead.Seal(buf[:0], nonce, src[off:off+sealjwt.StreamRecordSize], nil)
				}
			}
		})
	}
}

// BenchmarkFloorAEADFromReader is raw AES-GCM opening the same records
// read from a bytes.Reader, as any reader of a stream must first copy each
// record out of its source: the floor for OpenStream.
func BenchmarkFloorAEADFromReader(b *testing.B) {
	src := streamData(streamBenchSize)
	for _, c := range streamBenchCases {
		b.Run("suite="+string(c.suite)+"/size=64MiB", func(b *testing.B) {
			aead, nonce := floorGCM(c.aes), make([]byte, 12)
			sealed := make([]byte, 0, streamBenchSize/sealjwt.StreamRecordSize*(sealjwt.StreamRecordSize+16))
			for off := 0; off < len(src); off += sealjwt.StreamRecordSize {
				sealed = aead.Seal(sealed, nonce, src[off:off+sealjwt.StreamRecordSize], nil)
			}
			in := bytes.NewReader(sealed)
			buf := make([]byte, sealjwt.StreamRecordSize+16)
			b.SetBytes(streamBenchSize)
			b.ReportAllocs()
			for b.Loop() {
				in.Reset(sealed)
				for range streamBenchSize / sealjwt.StreamRecordSize {
					if _, err := io.ReadFull(in, buf); err != nil {
						b.Fatal(err)
					}
					if _, err := aead.Open(buf[:0], nonce, buf, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
