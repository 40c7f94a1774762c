package sealjwt_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sealjwt/sealjwt"
)

// FuzzOpenStream feeds OpenStream arbitrary bytes, starting from real
// streams and cuts of them: the framing of the envelope and of the records
// must never panic, never report a cut stream as a clean end, and never
// return plaintext that the sender did not write.
func FuzzOpenStream(f *testing.F) {
	sender, recv := fixture(f)
	opener := recv.opener(f, acceptAll{}, sender)
	plaintext := streamData(2*sealjwt.StreamRecordSize + 5)
	for _, stream := range [][]byte{
		sealStream(f, sender, recv, plaintext, 1<<20),
		sealStream(f, sender, recv, plaintext, 1000),
	} {
		f.Add(stream)
		f.Add(stream[:len(stream)-1])
		f.Add(stream[:len(stream)/2])
	}
	f.Add([]byte{0, 0, 0, 3, 'e', 'y', 'J'})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, rd, err := opener.OpenStream(context.Background(), bytes.NewReader(data))
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("the head of a cut stream reported as %v", err)
			}
			return
		}
		got, err := io.ReadAll(rd)
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			t.Fatalf("a cut stream reported as %v", err)
		case err == nil && !bytes.Equal(got, plaintext):
			t.Fatalf("a stream read to its end gave %d bytes the sender did not write", len(got))
		}
	})
}
