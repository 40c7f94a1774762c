package sealjwt_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// FuzzOpenFile feeds OpenFile arbitrary bytes, starting from real files
// and cuts of them: the head (its length, the JSON recipients list, the
// signed token) and the records must never panic, never report a cut file
// as a clean end, and never return plaintext the sender did not write.
func FuzzOpenFile(f *testing.F) {
	sender, recv := fixture(f)
	_, others := recipients(f, 2, seal.HPKE3)
	opener := recv.opener(f, acceptAll{}, sender)
	plaintext := streamData(sealjwt.StreamRecordSize + 5)
	for _, to := range [][]*seal.PublicKey{{recv.pub()}, {others[0], recv.pub(), others[1]}} {
		file := sealFileTo(f, sender, to, plaintext)
		f.Add(file)
		f.Add(file[:len(file)-1])
		f.Add(file[:len(file)/2])
	}
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, rd, err := opener.OpenFile(context.Background(), bytes.NewReader(data))
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("the head of a cut file reported as %v", err)
			}
			return
		}
		if len(file.Recipients) > sealjwt.MaxFileRecipients || file.Issuer != sender.id {
			t.Fatalf("opened a file of %d recipients from %q", len(file.Recipients), file.Issuer)
		}
		got, err := io.ReadAll(rd)
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			t.Fatalf("a cut file reported as %v", err)
		case err == nil && !bytes.Equal(got, plaintext):
			t.Fatalf("a file read to its end gave %d bytes the sender did not write", len(got))
		}
	})
}
