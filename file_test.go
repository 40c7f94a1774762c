package sealjwt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var fileNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// sealFileTo seals data from sender to the keys of to, signed at fileNow.
func sealFileTo(t testing.TB, sender *party, to []*seal.PublicKey, data []byte, opts ...sealjwt.FileOption) []byte {
	t.Helper()
	var out bytes.Buffer
	s := sender.sealer(t, token.WithClock(func() time.Time { return fileNow }))
	w, err := s.SealFile(context.Background(), &out, to, map[string]any{"name": "db.dump"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// openerFor returns an Opener of keys trusting sender, at the instant
// time.Now or the one of opts' clock.
func openerFor(t testing.TB, keys *seal.KeySet, sender *party, opts ...token.VerifierOption) *sealjwt.Opener {
	t.Helper()
	return openerAt(t, keys, sender, opts, nil)
}

func openerAt(t testing.TB, keys *seal.KeySet, sender *party, vopts []token.VerifierOption, opts []sealjwt.OpenerOption) *sealjwt.Opener {
	t.Helper()
	v, err := token.NewVerifier("backup-reader", vopts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust(sender.id, sender.sign.Verifying()); err != nil {
		t.Fatal(err)
	}
	o, err := sealjwt.NewOpener(keys, v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// openFileAt opens file with keys at the instant now, trusting sender.
func openFileAt(t testing.TB, keys *seal.KeySet, sender *party, now time.Time, file []byte, opts ...sealjwt.OpenerOption) (*sealjwt.File, []byte, error) {
	t.Helper()
	o := openerAt(t, keys, sender, []token.VerifierOption{token.WithClock(func() time.Time { return now })}, opts)
	f, rd, err := o.OpenFile(context.Background(), bytes.NewReader(file))
	if err != nil {
		return nil, nil, err
	}
	got, err := io.ReadAll(rd)
	return f, got, err
}

// recipients returns n fresh recipient keys (the first of suite alg, the
// others HPKE-3) with their public halves.
func recipients(t testing.TB, n int, alg seal.Alg) ([]*seal.KeySet, []*seal.PublicKey) {
	t.Helper()
	sets, pubs := make([]*seal.KeySet, n), make([]*seal.PublicKey, n)
	for i := range n {
		a := seal.HPKE3
		if i == 0 {
			a = alg
		}
		k, err := seal.GenerateKey(a)
		if err != nil {
			t.Fatal(err)
		}
		if sets[i], err = seal.NewKeySet(k); err != nil {
			t.Fatal(err)
		}
		pubs[i] = k.Public()
	}
	return sets, pubs
}

// A backup sealed today opens ten years later: no exp, no lifetime cap.
// The reader's WithMaxAge refuses it, and an exp the sealer set ends it.
func TestFileOpensTenYearsLater(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	keys, pubs := recipients(t, 1, seal.DefaultAlg)
	data := streamData(3*sealjwt.StreamRecordSize + 5)
	tenYears := fileNow.AddDate(10, 0, 0)
	tests := []struct {
		name    string
		sealOpt []sealjwt.FileOption
		openOpt []sealjwt.OpenerOption
		want    error
	}{
		{"no options", nil, nil, nil},
		{"WithMaxAge(1h)", nil, []sealjwt.OpenerOption{sealjwt.WithMaxAge(time.Hour)}, sealjwt.ErrExpired},
		{"WithMaxAge(11 years)", nil, []sealjwt.OpenerOption{sealjwt.WithMaxAge(11 * 365 * 24 * time.Hour)}, nil},
		{"sealer's WithExpiresAt(5 years)", []sealjwt.FileOption{sealjwt.WithExpiresAt(fileNow.AddDate(5, 0, 0))}, nil, sealjwt.ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := sealFileTo(t, sender, pubs, data, tc.sealOpt...)
			f, got, err := openFileAt(t, keys[0], sender, tenYears, file, tc.openOpt...)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("opened ten years later: %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ten years later: %v", err)
			}
			if !bytes.Equal(got, data) || f.Issuer != "backup" || !f.IssuedAt.Equal(fileNow) || !f.ExpiresAt.IsZero() {
				t.Fatalf("got %d bytes, iss %q, iat %v, exp %v", len(got), f.Issuer, f.IssuedAt, f.ExpiresAt)
			}
		})
	}
}

// Three recipients: each private key alone opens the file; a fourth key
// is refused with the list of kids that are recipients.
func TestFileThreeRecipientsEachOpensAlone(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	keys, pubs := recipients(t, 4, seal.DefaultAlg)
	data := streamData(sealjwt.StreamRecordSize + 1)
	file := sealFileTo(t, sender, pubs[:3], data)
	for i, k := range keys[:3] {
		f, got, err := openFileAt(t, k, sender, fileNow, file)
		if err != nil {
			t.Fatalf("recipient %d: %v", i, err)
		}
		if !bytes.Equal(got, data) || f.Key.KID != pubs[i].KID() || len(f.Recipients) != 3 {
			t.Fatalf("recipient %d: %d bytes, opened by %q, %d recipients", i, len(got), f.Key.KID, len(f.Recipients))
		}
	}
	_, _, err := openFileAt(t, keys[3], sender, fileNow, file)
	if !errors.Is(err, sealjwt.ErrUnknownKey) {
		t.Fatalf("a fourth key: %v, want ErrUnknownKey", err)
	}
	for _, p := range pubs[:3] {
		if !strings.Contains(err.Error(), p.KID()) {
			t.Errorf("the error does not name recipient %s: %v", p.KID(), err)
		}
	}
}

// editHead rewrites the JSON head of a file with edit, keeping the records.
func editHead(t *testing.T, file []byte, edit func(head map[string]json.RawMessage)) []byte {
	t.Helper()
	n := binary.BigEndian.Uint32(file)
	var head map[string]json.RawMessage
	if err := json.Unmarshal(file[4:4+n], &head); err != nil {
		t.Fatal(err)
	}
	edit(head)
	b, err := json.Marshal(head)
	if err != nil {
		t.Fatal(err)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(len(b)))
	return append(append(out, b...), file[4+n:]...)
}

// editRecipients rewrites the recipients list of a file's head.
func editRecipients(t *testing.T, file []byte, edit func([]json.RawMessage) []json.RawMessage) []byte {
	return editHead(t, file, func(head map[string]json.RawMessage) {
		var list []json.RawMessage
		if err := json.Unmarshal(head["recipients"], &list); err != nil {
			t.Fatal(err)
		}
		head["recipients"], _ = json.Marshal(edit(list))
	})
}

// A recipients list that was reordered, cut or edited is refused: the
// signed token names the recipients' thumbprints, in order. Without it,
// whoever can rewrite the file could drop the recovery key's entry (or
// move entries) unseen by the readers left.
func TestAttackFileRecipientsEdited(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	keys, pubs := recipients(t, 3, seal.HPKE3)
	file := sealFileTo(t, sender, pubs, []byte("secret backup"))
	_, other := recipients(t, 1, seal.HPKE3)
	otherFile := sealFileTo(t, sender, []*seal.PublicKey{pubs[0], other[0], pubs[2]}, []byte("secret backup"))
	tests := []struct {
		name string
		edit func([]json.RawMessage) []json.RawMessage
	}{
		{"reordered (rotated)", func(l []json.RawMessage) []json.RawMessage { return []json.RawMessage{l[1], l[2], l[0]} }},
		{"truncated (last dropped)", func(l []json.RawMessage) []json.RawMessage { return l[:2] }},
		{"truncated (first dropped)", func(l []json.RawMessage) []json.RawMessage { return l[1:] }},
		{"duplicated entry", func(l []json.RawMessage) []json.RawMessage { return append(l, l[0]) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edited := editRecipients(t, file, tc.edit)
			for i, k := range keys {
				_, _, err := openFileAt(t, k, sender, fileNow, edited)
				if err == nil {
					t.Fatalf("recipient %d opened an edited list", i)
				}
				if !errors.Is(err, sealjwt.ErrRecipient) && !errors.Is(err, sealjwt.ErrUnknownKey) {
					t.Fatalf("recipient %d: %v, want ErrRecipient or ErrUnknownKey", i, err)
				}
			}
		})
	}
	t.Run("entry replaced by another file's", func(t *testing.T) {
		// Same position, same count: recipient 1's entry swapped for the
		// entry of another file's recipient. Recipient 1 is no longer named.
		var theirs []json.RawMessage
		editRecipients(t, otherFile, func(l []json.RawMessage) []json.RawMessage { theirs = l; return l })
		edited := editRecipients(t, file, func(l []json.RawMessage) []json.RawMessage { l[1] = theirs[1]; return l })
		if _, _, err := openFileAt(t, keys[1], sender, fileNow, edited); !errors.Is(err, sealjwt.ErrUnknownKey) {
			t.Fatalf("recipient 1 after its entry was replaced: %v", err)
		}
	})
}

// A file, a stream and a message never pass for one another, even when
// the signed token of one is carried in the wrapping of another by a
// recipient who opened it.
func TestAttackFileTypeConfusion(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	recv := newParty(t, "backup-reader", seal.HPKE3, token.EdDSA)
	file := sealFileTo(t, sender, []*seal.PublicKey{recv.pub()}, []byte("data"))
	stream := sealStream(t, sender, recv, []byte("data"), 10)
	ctx := context.Background()
	opener := func() *sealjwt.Opener { return recv.opener(t, replay.NewMemory(), sender) }

	fileJWS := innerFileToken(t, recv, file)
	messageJWS := innerToken(t, recv, sender.sealer(t))

	t.Run("file opened as a stream", func(t *testing.T) {
		if _, _, err := opener().OpenStream(ctx, bytes.NewReader(file)); err == nil {
			t.Fatal("a file opened as a stream")
		}
	})
	t.Run("stream opened as a file", func(t *testing.T) {
		if _, _, err := opener().OpenFile(ctx, bytes.NewReader(stream)); !errors.Is(err, sealjwt.ErrMalformed) {
			t.Fatalf("a stream opened as a file: %v", err)
		}
	})
	t.Run("file's token re-sealed as a message", func(t *testing.T) {
		env, err := seal.Seal(recv.pub(), []byte(fileJWS), seal.WithContentType(sealjwt.ContentType))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := opener().Open(ctx, env); !isTypRefusal(err) {
			t.Fatalf("a file's token accepted as a message: %v", err)
		}
	})
	streamEnv, err := seal.Open(recv.sealKey, string(stream[4:4+binary.BigEndian.Uint32(stream)]))
	if err != nil {
		t.Fatal(err)
	}
	for name, jws := range map[string]string{"message": messageJWS, "stream": string(streamEnv.Plaintext)} {
		t.Run(name+"'s token re-sealed as a file", func(t *testing.T) {
			head, _, err := seal.SealGeneral([]*seal.PublicKey{recv.pub()}, []byte(jws), seal.WithContentType(sealjwt.ContentType))
			if err != nil {
				t.Fatal(err)
			}
			forged := binary.BigEndian.AppendUint32(nil, uint32(len(head)))
			if _, _, err := opener().OpenFile(ctx, bytes.NewReader(append(forged, head...))); !isTypRefusal(err) {
				t.Fatalf("a %s's token accepted as a file: %v", name, err)
			}
		})
	}
	t.Run("file's token re-sealed as a stream", func(t *testing.T) {
		env, sc, err := seal.SealContext(recv.pub(), []byte(fileJWS), seal.WithContentType(sealjwt.ContentType))
		if err != nil || sc == nil {
			t.Fatal(err)
		}
		forged := append(binary.BigEndian.AppendUint32(nil, uint32(len(env))), env...)
		if _, _, err := opener().OpenStream(ctx, bytes.NewReader(forged)); !isTypRefusal(err) {
			t.Fatalf("a file's token accepted as a stream head: %v", err)
		}
	})
}

// isTypRefusal reports a token refused for its typ.
func isTypRefusal(err error) bool {
	return errors.Is(err, sealjwt.ErrMalformed) && strings.Contains(err.Error(), "typ")
}

// innerFileToken opens the head of a file as its recipient would and
// returns the signed token inside.
func innerFileToken(t *testing.T, recv *party, file []byte) string {
	t.Helper()
	n := binary.BigEndian.Uint32(file)
	opened, err := seal.OpenGeneral(recv.sealKey, file[4:4+n])
	if err != nil {
		t.Fatal(err)
	}
	return string(opened.Plaintext)
}

// innerToken seals a message to recv and returns the signed token inside.
func innerToken(t *testing.T, recv *party, s *sealjwt.Sealer) string {
	t.Helper()
	env, err := s.Seal(context.Background(), recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	opened, err := seal.Open(recv.sealKey, env)
	if err != nil {
		t.Fatal(err)
	}
	return string(opened.Plaintext)
}

// The number of recipients is bounded before any key is used.
func TestFileRecipientLimit(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	_, pubs := recipients(t, 1, seal.HPKE3)
	many := make([]*seal.PublicKey, sealjwt.MaxFileRecipients+1)
	for i := range many {
		many[i] = pubs[0]
	}
	var out bytes.Buffer
	for _, to := range [][]*seal.PublicKey{nil, many, {pubs[0], pubs[0]}} {
		if _, err := sender.sealer(t).SealFile(context.Background(), &out, to, nil); !errors.Is(err, sealjwt.ErrInvalidKey) {
			t.Fatalf("%d recipients: %v, want ErrInvalidKey", len(to), err)
		}
	}
	if out.Len() != 0 {
		t.Fatalf("%d bytes written before the refusal", out.Len())
	}
}

// A file cut short, or with records moved, is refused as a stream is.
func TestFileBodyTruncatedOrTrailing(t *testing.T) {
	sender := newParty(t, "backup", seal.HPKE3, token.EdDSA)
	keys, pubs := recipients(t, 2, seal.HPKE3)
	file := sealFileTo(t, sender, pubs, streamData(2*sealjwt.StreamRecordSize+3))
	for _, tc := range []struct {
		name string
		file []byte
		want error
	}{
		{"cut in the last record", file[:len(file)-1], sealjwt.ErrTruncated},
		{"cut in the head", file[:100], sealjwt.ErrTruncated},
		{"trailing byte", append(bytes.Clone(file), 0), sealjwt.ErrTrailingData},
	} {
		if _, _, err := openFileAt(t, keys[1], sender, fileNow, tc.file); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
