package sealjwt_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// The file benchmarks move 64 MiB through SealFile and OpenFile, head
// included, for 1 and 10 recipients (HPKE-9, post-quantum), against the
// stream floors with an AES-256 key (BenchmarkFloorAEAD and
// BenchmarkFloorAEADFromReader, suite=HPKE-9): a file's records are always
// AES-256-GCM. BenchmarkSealFileHead and BenchmarkOpenFileHead are the
// head alone: sealing costs one KEM encapsulation per recipient, opening
// one decapsulation whatever the count.

var fileBenchRecipients = []int{1, 10}

func fileBenchKeys(b *testing.B, n int) (*party, []*seal.KeySet, []*seal.PublicKey) {
	keys, pubs := recipients(b, n, seal.HPKE9)
	for i := 1; i < n; i++ { // all HPKE-9, not recipients' HPKE-3 default
		k, err := seal.GenerateKey(seal.HPKE9)
		if err != nil {
			b.Fatal(err)
		}
		keys[i], _ = seal.NewKeySet(k)
		pubs[i] = k.Public()
	}
	return newParty(b, "backup", seal.HPKE3, token.EdDSA), keys, pubs
}

func benchSealFile(b *testing.B, src []byte, label string) {
	for _, n := range fileBenchRecipients {
		b.Run(fmt.Sprintf("recipients=%d/size=%s", n, label), func(b *testing.B) {
			sender, _, pubs := fileBenchKeys(b, n)
			s, ctx := sender.sealer(b), context.Background()
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				w, err := s.SealFile(ctx, io.Discard, pubs, nil)
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

func benchOpenFile(b *testing.B, src []byte, label string) {
	for _, n := range fileBenchRecipients {
		b.Run(fmt.Sprintf("recipients=%d/size=%s", n, label), func(b *testing.B) {
			sender, keys, pubs := fileBenchKeys(b, n)
			sealed := sealFileTo(b, sender, pubs, src)
			// The last recipient opens: the entries before it are skipped by kid.
			o, ctx, in := openerFor(b, keys[n-1], sender), context.Background(), bytes.NewReader(sealed)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				in.Reset(sealed)
				_, rd, err := o.OpenFile(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, rd); err != nil || n != int64(len(src)) {
					b.Fatal(n, err)
				}
			}
		})
	}
}

func BenchmarkSealFile(b *testing.B)     { benchSealFile(b, streamData(streamBenchSize), "64MiB") }
func BenchmarkOpenFile(b *testing.B)     { benchOpenFile(b, streamData(streamBenchSize), "64MiB") }
func BenchmarkSealFileHead(b *testing.B) { benchSealFile(b, nil, "0") }
func BenchmarkOpenFileHead(b *testing.B) { benchOpenFile(b, nil, "0") }
