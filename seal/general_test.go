package seal

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Each recipient of a general JWE opens it alone; the JSON has the
// draft's shape: enc in the protected header, alg, kid and ek per
// recipient, the wrapped CEK as encrypted_key.
func TestGeneralEachRecipientOpens(t *testing.T) {
	var privs []*PrivateKey
	var pubs []*PublicKey
	for _, alg := range []Alg{HPKE9, HPKE3, Alg("HPKE-0-KE"), HPKE1} {
		k, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		privs, pubs = append(privs, k), append(pubs, k.Public())
	}
	jwe, sc, err := SealGeneral(pubs, []byte("plaintext"), WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	var shape struct {
		Protected  string
		Recipients []struct {
			Header       map[string]string
			EncryptedKey string `json:"encrypted_key"`
		}
	}
	if err := json.Unmarshal(jwe, &shape); err != nil || len(shape.Recipients) != 4 {
		t.Fatalf("shape: %v", err)
	}
	for i, r := range shape.Recipients {
		want, _ := KeyEncryptionAlg(pubs[i].Alg())
		if r.Header["alg"] != string(want) || r.Header["kid"] != pubs[i].KID() || r.Header["ek"] == "" || len(r.Header) != 3 {
			t.Fatalf("recipient %d header %v", i, r.Header)
		}
	}
	senderKey, _ := sc.Export("test", 32)
	for i, k := range privs {
		ks, _ := NewKeySet(k)
		got, err := OpenGeneral(ks, jwe)
		if err != nil {
			t.Fatalf("recipient %d: %v", i, err)
		}
		key, _ := got.Context.Export("test", 32)
		if got.Index != i || string(got.Plaintext) != "plaintext" || !bytes.Equal(key, senderKey) || got.Header.Cty != "JWT" {
			t.Fatalf("recipient %d: index %d, %q, same export %v", i, got.Index, got.Plaintext, bytes.Equal(key, senderKey))
		}
	}
}

// The recipient count is checked before any entry is decoded, on both
// sides; kids holding JSON punctuation do not change the count.
func TestGeneralRecipientLimit(t *testing.T) {
	k, _ := GenerateKey(HPKE3)
	if _, _, err := SealGeneral(make([]*PublicKey, MaxRecipients+1), nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("65 recipients sealed: %v", err)
	}
	if _, _, err := SealGeneral([]*PublicKey{k.Public(), k.Public()}, nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("a key given twice: %v", err)
	}
	entry := `{"header":{"alg":"HPKE-3-KE","kid":"a,]}[{\",","ek":"AA"},"encrypted_key":"AA"}`
	for _, tc := range []struct {
		n    int
		want error
	}{
		{MaxRecipients + 1, ErrMalformed},
		{0, ErrMalformed},
		{2, ErrUnknownKey},
	} {
		list := "[" + strings.TrimSuffix(strings.Repeat(entry+",", tc.n), ",") + "]"
		jwe := `{"protected":"eyJlbmMiOiJBMjU2R0NNIn0","recipients":` + list + `,"iv":"","ciphertext":"","tag":""}`
		ks, _ := NewKeySet(k)
		_, err := OpenGeneral(ks, []byte(jwe))
		if !errors.Is(err, tc.want) {
			t.Fatalf("%d recipients: %v, want %v", tc.n, err, tc.want)
		}
	}
}

// Members that would change processing, or that are not integrity
// protected, are refused: an unprotected shared header, crit in the
// protected header, a recipient header parameter we do not know.
func TestGeneralRefusesUnprotectedAndUnknownMembers(t *testing.T) {
	k, _ := GenerateKey(HPKE3)
	jwe, _, err := SealGeneral([]*PublicKey{k.Public()}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := NewKeySet(k)
	for name, edit := range map[string]func(string) string{
		"unprotected":   func(s string) string { return strings.Replace(s, `{"protected"`, `{"unprotected":{},"protected"`, 1) },
		"recipient jku": func(s string) string { return strings.Replace(s, `"header":{`, `"header":{"jku":"https://x",`, 1) },
		"crit in protected": func(s string) string {
			return strings.Replace(s, `"protected":"eyJlbmMiOiJBMjU2R0NNIn0"`, `"protected":"eyJlbmMiOiJBMjU2R0NNIiwiY3JpdCI6W119"`, 1)
		},
		"integrated alg": func(s string) string { return strings.Replace(s, `"alg":"HPKE-3-KE"`, `"alg":"HPKE-3"`, 1) },
	} {
		edited := edit(string(jwe))
		if edited == string(jwe) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if _, err := OpenGeneral(ks, []byte(edited)); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}
