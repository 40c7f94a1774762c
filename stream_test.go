package sealjwt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// sealStream seals data as one stream from sender to recv, written in
// chunks of chunk bytes.
func sealStream(t testing.TB, sender, recv *party, data []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := sender.sealer(t).SealStream(context.Background(), &out, recv.pub(), recv.id, map[string]any{"file": "backup.tar"})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(data); off += chunk {
		if _, err := w.Write(data[off:min(off+chunk, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// openStream opens stream with a fresh replay store and reads all of it.
func openStream(t testing.TB, sender, recv *party, stream []byte) (*sealjwt.Message, []byte, error) {
	t.Helper()
	msg, rd, err := recv.opener(t, replay.NewMemory(), sender).OpenStream(context.Background(), bytes.NewReader(stream))
	if err != nil {
		return nil, nil, err
	}
	got, err := io.ReadAll(rd)
	return msg, got, err
}

// splitStream cuts a stream into its head (length and envelope) and its
// records (each with its length).
func splitStream(t *testing.T, stream []byte) (head []byte, recs [][]byte) {
	t.Helper()
	off := 4 + int(binary.BigEndian.Uint32(stream))
	head = stream[:off]
	for off < len(stream) {
		n := 4 + int(binary.BigEndian.Uint32(stream[off:]))
		recs = append(recs, stream[off:off+n])
		off += n
	}
	return head, recs
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func streamData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestStreamRoundTrip(t *testing.T) {
	sizes := []int{0, 1, sealjwt.StreamRecordSize - 1, sealjwt.StreamRecordSize, sealjwt.StreamRecordSize + 1, 5*sealjwt.StreamRecordSize + 77}
	for _, alg := range []seal.Alg{seal.HPKE3, seal.DefaultAlg} {
		sender, recv := newParty(t, "billing", seal.HPKE3, token.EdDSA), newParty(t, "ledger", alg, token.EdDSA)
		for _, size := range sizes {
			for _, chunk := range []int{1000, 1 << 20} {
				data := streamData(size)
				msg, got, err := openStream(t, sender, recv, sealStream(t, sender, recv, data, chunk))
				if err != nil {
					t.Fatalf("%s, %d bytes in writes of %d: %v", alg, size, chunk, err)
				}
				var claims struct{ File string }
				if err := msg.Decode(&claims); err != nil || claims.File != "backup.tar" || msg.Issuer != "billing" || msg.Envelope.Alg != alg {
					t.Fatalf("message: %+v, %v", msg.Verified, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("%s, %d bytes in writes of %d: got %d bytes back", alg, size, chunk, len(got))
				}
			}
		}
	}
}

// Flush sends what was written so far, so that a live stream (a pipe, a
// queue) can be read as it is produced.
func TestStreamFlushDeliversWhatWasWritten(t *testing.T) {
	sender, recv := fixture(t)
	pr, pw := io.Pipe()
	defer pr.Close()
	sealer := sender.sealer(t)
	go func() {
		w, err := sealer.SealStream(context.Background(), pw, recv.pub(), recv.id, nil)
		if err == nil {
			_, _ = w.Write([]byte("first line\n"))
			err = w.(interface{ Flush() error }).Flush()
		}
		pw.CloseWithError(err) // a nil error: EOF, which the reader must see as a cut
	}()
	_, rd, err := recv.opener(t, replay.NewMemory(), sender).OpenStream(context.Background(), pr)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := rd.Read(buf)
	if err != nil || string(buf[:n]) != "first line\n" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	if _, err := rd.Read(buf); !errors.Is(err, sealjwt.ErrTruncated) {
		t.Fatalf("after the flushed record, the writer went away: %v, want ErrTruncated", err)
	}
}

func TestAttackStreamTruncated(t *testing.T) {
	sender, recv := fixture(t)
	stream := sealStream(t, sender, recv, streamData(3*sealjwt.StreamRecordSize+10), 1<<20)
	head, recs := splitStream(t, stream)
	cuts := map[string]int{
		"empty":                     0,
		"in the length":             2,
		"in the envelope":           len(head) - 1,
		"after the envelope":        len(head),
		"after the first record":    len(head) + len(recs[0]),
		"in the length of a record": len(head) + len(recs[0]) + 2,
		"in a record":               len(head) + len(recs[0]) + 100,
		"before the final record":   len(stream) - len(recs[len(recs)-1]),
		"in the final record":       len(stream) - 1,
	}
	for name, cut := range cuts {
		t.Run(name, func(t *testing.T) {
			_, got, err := openStream(t, sender, recv, stream[:cut])
			if !errors.Is(err, sealjwt.ErrTruncated) || errors.Is(err, io.EOF) {
				t.Fatalf("cut at %d of %d: read %d bytes, err %v", cut, len(stream), len(got), err)
			}
		})
	}
}

func TestAttackStreamRecordsRearranged(t *testing.T) {
	sender, recv := fixture(t)
	stream := sealStream(t, sender, recv, streamData(3*sealjwt.StreamRecordSize+10), 1<<20)
	head, r := splitStream(t, stream)
	_, other := splitStream(t, sealStream(t, sender, recv, streamData(3*sealjwt.StreamRecordSize+10), 1<<20))
	edits := map[string][]byte{
		"swapped":                   join(head, r[1], r[0], r[2], r[3]),
		"duplicated":                join(head, r[0], r[0], r[1], r[2], r[3]),
		"dropped":                   join(head, r[0], r[2], r[3]),
		"final record moved":        join(head, r[3]),
		"records of another stream": join(head, other[0], other[1], other[2], other[3]),
		"one bit flipped":           flipLastByte(join(head, r[0], r[1], r[2], r[3])),
	}
	for name, stream := range edits {
		t.Run(name, func(t *testing.T) {
			_, _, err := openStream(t, sender, recv, stream)
			if !errors.Is(err, sealjwt.ErrDecryption) {
				t.Fatalf("err = %v, want ErrDecryption", err)
			}
		})
	}
}

func flipLastByte(b []byte) []byte {
	b[len(b)-1] ^= 1
	return b
}

func TestAttackStreamTrailingData(t *testing.T) {
	sender, recv := fixture(t)
	stream := sealStream(t, sender, recv, streamData(100), 1<<20)
	_, _, err := openStream(t, sender, recv, append(stream, 0))
	if !errors.Is(err, sealjwt.ErrTrailingData) || !errors.Is(err, sealjwt.ErrMalformed) {
		t.Fatalf("err = %v, want ErrTrailingData", err)
	}
}

// The envelope at the head of a stream is signed with typ StreamType: cut
// from its records, it is not a message, so nobody can pass off "a file
// follows" as a complete message, and a message is not the head of a
// stream.
func TestAttackStreamEnvelopeAsMessage(t *testing.T) {
	sender, recv := fixture(t)
	ctx := context.Background()
	head, _ := splitStream(t, sealStream(t, sender, recv, []byte("payroll"), 1<<20))
	opener := recv.opener(t, replay.NewMemory(), sender)
	if _, err := opener.Open(ctx, string(head[4:])); err == nil {
		t.Fatal("Open accepted the envelope of a stream")
	}
	if _, _, err := opener.OpenContext(ctx, string(head[4:]), nil); err == nil {
		t.Fatal("the transport's open accepted the envelope of a stream")
	}
}

func TestAttackMessageAsStreamHead(t *testing.T) {
	sender, recv := fixture(t)
	ctx := context.Background()
	env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	opener := recv.opener(t, replay.NewMemory(), sender)
	framed := binary.BigEndian.AppendUint32(nil, uint32(len(env)))
	if _, _, err := opener.OpenStream(ctx, bytes.NewReader(append(framed, env...))); err == nil {
		t.Fatal("OpenStream accepted a message's envelope")
	}
	if _, err := opener.Open(ctx, env); err != nil {
		t.Fatalf("the refused stream used up the message's id: %v", err)
	}
}

func TestAttackStreamReplayed(t *testing.T) {
	sender, recv := fixture(t)
	stream := sealStream(t, sender, recv, []byte("transfer 100"), 1<<20)
	opener := recv.opener(t, replay.NewMemory(), sender)
	if _, _, err := opener.OpenStream(context.Background(), bytes.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := opener.OpenStream(context.Background(), bytes.NewReader(stream)); !errors.Is(err, sealjwt.ErrReplayed) {
		t.Fatalf("second open: %v, want ErrReplayed", err)
	}
}

// The envelope's declared length is checked against the cap before any of
// it is read, and what is read is bounded by what arrives, not by what was
// declared.
func TestStreamEnvelopeLengthCheckedBeforeAllocation(t *testing.T) {
	sender, recv := fixture(t)
	opener := recv.opener(t, replay.NewMemory(), sender)
	ctx := context.Background()
	head := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	if _, _, err := opener.OpenStream(ctx, bytes.NewReader(head(seal.MaxEnvelopeSize+1))); !errors.Is(err, sealjwt.ErrTooLarge) {
		t.Fatalf("over the cap: %v, want ErrTooLarge", err)
	}
	if _, _, err := opener.OpenStream(ctx, bytes.NewReader(head(0))); !errors.Is(err, sealjwt.ErrMalformed) {
		t.Fatalf("empty envelope: %v, want ErrMalformed", err)
	}
	short := append(head(seal.MaxEnvelopeSize), "eyJhbGciOi"...)
	allocated := bytesAllocated(func() {
		if _, _, err := opener.OpenStream(ctx, bytes.NewReader(short)); !errors.Is(err, sealjwt.ErrTruncated) {
			t.Fatalf("declared 1 MiB, sent 10 bytes: %v, want ErrTruncated", err)
		}
	})
	if allocated > 16<<10 {
		t.Fatalf("a 14-byte input that declares a 1 MiB envelope allocated %d bytes", allocated)
	}
}

func bytesAllocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestSealStreamRefusesWhatSealRefuses(t *testing.T) {
	sender, recv := fixture(t)
	s := sender.sealer(t)
	var out strings.Builder
	if _, err := s.SealStream(context.Background(), &out, nil, recv.id, nil); !errors.Is(err, sealjwt.ErrInvalidKey) {
		t.Fatalf("no recipient: %v", err)
	}
	if _, err := s.SealStream(context.Background(), &out, recv.pub(), "", nil); !errors.Is(err, sealjwt.ErrClaims) {
		t.Fatalf("no audience: %v", err)
	}
	if out.Len() != 0 {
		t.Fatalf("a refused stream wrote %d bytes", out.Len())
	}
}
