package seal

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzOpenGeneral feeds arbitrary JSON to the general JWE parser: the
// shared protected header and the recipients list. Whatever the input: no
// panic, errors are sentinels, at most MaxRecipients entries are ever
// returned, and success only with an entry naming one of our keys under
// that key's key encryption alg.
func FuzzOpenGeneral(f *testing.F) {
	var keys []*PrivateKey
	for _, alg := range []Alg{HPKE3, HPKE9, Alg("HPKE-0-KE")} {
		k, err := GenerateKey(alg)
		if err != nil {
			f.Fatal(err)
		}
		keys = append(keys, k)
	}
	ks, err := NewKeySet(keys[0], keys[1:]...)
	if err != nil {
		f.Fatal(err)
	}
	other, _ := GenerateKey(HPKE3)
	for _, to := range [][]*PublicKey{{keys[0].Public()}, {other.Public(), keys[1].Public(), keys[2].Public()}} {
		jwe, _, err := SealGeneral(to, []byte("seed"), WithContentType("JWT"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(jwe)
	}
	f.Add([]byte(`{"protected":"eyJlbmMiOiJBMjU2R0NNIn0","recipients":[],"iv":"","ciphertext":"","tag":""}`))
	f.Add([]byte(`{"protected":"eyJlbmMiOiJBMjU2R0NNIn0","recipients":[{"header":{"alg":"HPKE-3-KE","kid":"a","ek":""},"encrypted_key":""}],"iv":"","ciphertext":"","tag":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if list, err := ParseGeneral(data); err == nil && (len(list) == 0 || len(list) > MaxRecipients) {
			t.Fatalf("ParseGeneral returned %d recipients", len(list))
		} else if err != nil {
			checkGeneralError(t, err)
		}
		got, err := OpenGeneral(ks, data)
		if err != nil {
			checkGeneralError(t, err)
			return
		}
		r := got.Recipients[got.Index]
		key, ok := ks.Lookup(r.KID)
		alg, _ := KeyEncryptionAlg(key.Alg())
		if !ok || alg != r.Alg || !json.Valid(data) {
			t.Fatalf("opened by entry %+v", r)
		}
	})
}

func checkGeneralError(t *testing.T, err error) {
	for _, s := range []error{ErrMalformed, ErrUnsupported, ErrTooLarge, ErrUnknownKey, ErrDecryption, ErrInvalidKey} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error outside the sentinels: %v", err)
}
