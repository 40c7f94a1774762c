package redisstore

import (
	"bytes"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/session"
)

// FuzzDecodeTokenEntry: any bytes under a token key decode or fail
// without panicking, and what encode writes decodes to itself.
func FuzzDecodeTokenEntry(f *testing.F) {
	f.Add(tokenEntry{hash: session.SecretHash{1}, expires: 1_800_000_000_000, familyID: "fam"}.encode())
	f.Add([]byte{})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeTokenEntry(b)
		if err != nil {
			return
		}
		if got := e.encode(); !bytes.Equal(got, b) {
			t.Fatalf("decode then encode: %x, want %x", got, b)
		}
	})
}

// FuzzDecodeFamily: any stored field values decode or fail without
// panicking.
func FuzzDecodeFamily(f *testing.F) {
	f.Add("alice", `["read"]`, `{"a":1}`, "1800000000000", "1800003600000")
	f.Add("", "null", "", "x", "")
	f.Fuzz(func(t *testing.T, sub, scopes, claims, created, expires string) {
		fam, err := decodeFamily("fam", []any{sub, scopes, claims, created, expires})
		if err == nil && (fam.ID != "fam" || fam.Subject != sub) {
			t.Fatalf("decoded %+v from subject %q", fam, sub)
		}
	})
}

// TestDecodeFamilyRefusesWhatItCannotRead: a family hash that is not what
// the store wrote is an error, never a half-filled family.
func TestDecodeFamilyRefusesWhatItCannotRead(t *testing.T) {
	good := []any{"alice", `["read"]`, "", "1800000000000", "1800003600000"}
	fam, err := decodeFamily("fam", good)
	if err != nil || !fam.ExpiresAt.Equal(time.UnixMilli(1800003600000)) || fam.Claims != nil {
		t.Fatalf("decodeFamily(%v) = %+v, %v", good, fam, err)
	}
	for _, bad := range [][]any{
		good[:4],
		{nil, `["read"]`, "", "1", "2"},
		{"alice", `["read"`, "", "1", "2"},
		{"alice", `["read"]`, "", "soon", "2"},
		{"alice", `["read"]`, "", "12 soon", "2"},
		{"alice", `["read"]`, "", "1", int64(2)},
	} {
		if _, err := decodeFamily("fam", bad); err == nil {
			t.Errorf("decodeFamily(%v) succeeded", bad)
		}
	}
}
