package pkcs11

import (
	"bytes"
	"crypto/ed25519"
	"encoding/asn1"
	"errors"
	"testing"
)

func der(t testing.TB, v any, params string) []byte {
	t.Helper()
	b, err := asn1.MarshalWithParams(v, params)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEdwardsPublic: an Ed25519 key's CKA_EC_POINT is accepted as a DER
// OCTET STRING of 32 bytes or as the raw 32 bytes, and its CKA_EC_PARAMS
// as the id-Ed25519 OID or "edwards25519"; every other form is refused.
func TestEdwardsPublic(t *testing.T) {
	key := bytes.Repeat([]byte{0xa5}, ed25519.PublicKeySize)
	oid := der(t, oidEd25519, "")
	for _, c := range []struct {
		name          string
		params, point []byte
		ok            bool
	}{
		{"OID, DER OCTET STRING", oid, der(t, key, ""), true},
		{"OID, raw 32 bytes", oid, key, true},
		{"curve name, DER", der(t, "edwards25519", "printable"), der(t, key, ""), true},
		{"Ed448 OID", der(t, asn1.ObjectIdentifier{1, 3, 101, 113}, ""), der(t, key, ""), false},
		{"Ed448 curve name", der(t, "edwards448", "printable"), der(t, key, ""), false},
		{"P-256 OID", der(t, asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, ""), der(t, key, ""), false},
		{"no params", nil, der(t, key, ""), false},
		{"params with trailing bytes", append(oid, 0), der(t, key, ""), false},
		{"raw 31 bytes", oid, key[:31], false},
		{"raw 33 bytes", oid, append(key, 0), false},
		{"DER of 31 bytes", oid, der(t, key[:31], ""), false},
		{"DER of 57 bytes (Ed448)", oid, der(t, make([]byte, 57), ""), false},
		{"DER with trailing bytes", oid, append(der(t, key, ""), 0), false},
		{"BIT STRING", oid, der(t, asn1.BitString{Bytes: key, BitLength: 256}, ""), false},
		{"empty point", oid, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			pub, err := edwardsPublic(c.params, c.point)
			if !c.ok {
				if !errors.Is(err, ErrKeyType) || pub != nil {
					t.Fatalf("accepted: %x, %v", pub, err)
				}
				return
			}
			if err != nil || !bytes.Equal(pub, key) {
				t.Fatalf("got %x, %v", pub, err)
			}
		})
	}
}

// FuzzEdwardsPublic: no CKA_EC_PARAMS and CKA_EC_POINT pair panics, and a
// key read from one is always 32 bytes.
func FuzzEdwardsPublic(f *testing.F) {
	key := bytes.Repeat([]byte{1}, ed25519.PublicKeySize)
	oid := der(f, oidEd25519, "")
	f.Add(oid, der(f, key, ""))
	f.Add(oid, key)
	f.Add(der(f, "edwards25519", "printable"), der(f, key, ""))
	f.Fuzz(func(t *testing.T, params, point []byte) {
		pub, err := edwardsPublic(params, point)
		if err == nil && len(pub) != ed25519.PublicKeySize {
			t.Fatalf("a %d-byte key accepted", len(pub))
		}
	})
}
