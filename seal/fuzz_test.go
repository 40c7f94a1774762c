package seal

import (
	"errors"
	"testing"
)

// FuzzOpen feeds arbitrary envelopes to Open and OpenFlattened. Whatever
// the input: no panic, errors are sentinels, and success only for an
// envelope whose header names the key and its alg.
func FuzzOpen(f *testing.F) {
	var keys []*PrivateKey
	for _, v := range loadDraftVectors(f) {
		if k, err := ParsePrivateJWK(v.JWK); err == nil {
			keys = append(keys, k)
			f.Add(v.Compact, []byte(v.Flattened))
		}
	}
	for _, alg := range []Alg{HPKE3, HPKE9, Alg("HPKE-3-KE")} {
		k, _ := GenerateKey(alg)
		keys = append(keys, k)
		env, _ := Seal(k.Public(), []byte("seed"), WithContentType("JWT"))
		f.Add(env, []byte(`{"protected":"e30","ciphertext":""}`))
	}
	f.Add("....", []byte(`{}`))
	ks, err := NewKeySet(keys[0], keys[1:]...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, compact string, flattened []byte) {
		got, err := Open(ks, compact)
		checkFuzzResult(t, ks, got, err)
		got, err = OpenFlattened(ks, flattened)
		checkFuzzResult(t, ks, got, err)
	})
}

func checkFuzzResult(t *testing.T, ks *KeySet, got *Opened, err error) {
	if err != nil {
		for _, s := range []error{ErrMalformed, ErrUnsupported, ErrTooLarge, ErrUnknownKey, ErrDecryption, ErrInvalidKey} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error outside the sentinels: %v", err)
	}
	key, ok := ks.Lookup(got.Header.KID)
	if !ok || key.Alg() != got.Header.Alg {
		t.Fatalf("opened with header %+v", got.Header)
	}
}

// FuzzParseJWK feeds arbitrary JSON to the JWK and JWKS parsers. A key that
// parses must marshal back to a JWK that parses to the same key.
func FuzzParseJWK(f *testing.F) {
	for _, v := range loadDraftVectors(f) {
		f.Add([]byte(v.JWK))
	}
	for _, alg := range []Alg{HPKE0, HPKE3, HPKE5, HPKE9, HPKE12} {
		k, _ := GenerateKey(alg)
		priv, _ := k.MarshalJSON()
		pub, _ := k.Public().MarshalJSON()
		f.Add(priv)
		f.Add(pub)
		f.Add([]byte(`{"keys":[` + string(priv) + `]}`))
		f.Add([]byte(`{"keys":[` + string(pub) + `],"kty":"OKP"}`))
		f.Add([]byte(`{"KEYS":[` + string(pub) + `]}`))
	}
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A key the single-key parser reads is a key set of one: the set
		// parsers take the lone JWK as well as a JWKS.
		if k, err := ParsePrivateJWK(data); err == nil {
			again, _ := k.MarshalJSON()
			k2, err := ParsePrivateJWK(again)
			if err != nil || k2.KID() != k.KID() || k2.Alg() != k.Alg() {
				t.Fatalf("private JWK does not round-trip: %v", err)
			}
			if ks, err := ParseKeySet(data); err != nil || len(ks.Keys()) != 1 || ks.Primary().KID() != k.KID() {
				t.Fatalf("a private JWK is not read as a key set of one: %v", err)
			}
		}
		if k, err := ParsePublicJWK(data); err == nil {
			again, _ := k.MarshalJSON()
			k2, err := ParsePublicJWK(again)
			if err != nil || k2.KID() != k.KID() {
				t.Fatalf("public JWK does not round-trip: %v", err)
			}
			if ks, err := ParsePublicKeySet(data); err != nil || len(ks.Keys()) != 1 || ks.Primary().KID() != k.KID() {
				t.Fatalf("a public JWK is not read as a key set of one: %v", err)
			}
		}
		for _, err := range []error{second(ParseKeySet(data)), second(ParsePublicKeySet(data))} {
			if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("key set error wraps no sentinel: %v", err)
			}
		}
	})
}

// FuzzParsePEM: the PEM and DER readers never panic, refuse with a
// sentinel, and a key they read writes back as PKCS#8.
func FuzzParsePEM(f *testing.F) {
	for _, alg := range []Alg{HPKE0, HPKE3, HPKE5, HPKE12} {
		k, _ := GenerateKey(alg)
		priv, _ := k.MarshalPEM()
		pub, _ := k.Public().MarshalPEM()
		f.Add(priv)
		f.Add(pub)
	}
	sentinel := func(err error) bool {
		return errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidKey)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := ParsePrivatePEM(data); err == nil {
			if _, err := k.MarshalPEM(); err != nil {
				t.Fatalf("read but not written: %v", err)
			}
		} else if !sentinel(err) {
			t.Fatalf("unclassified: %v", err)
		}
		if _, err := ParsePublicPEM(data); err != nil && !sentinel(err) {
			t.Fatalf("unclassified: %v", err)
		}
	})
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }
