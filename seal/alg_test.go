package seal

import (
	"strings"
	"testing"
)

// Both sides of an envelope's context report the key size of the
// suite's own AEAD.
func TestContextKeySizeFollowsSuite(t *testing.T) {
	for alg, want := range map[Alg]int{
		HPKE0: 16, HPKE3: 16, Alg("HPKE-0-KE"): 16, HPKE1: 32, HPKE4: 32, HPKE7: 32, HPKE9: 32, Alg("HPKE-13-KE"): 32,
	} {
		key, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := NewKeySet(key)
		env, sender, err := SealContext(key.Public(), []byte("m"))
		if err != nil {
			t.Fatal(err)
		}
		opened, err := Open(keys, env)
		if err != nil {
			t.Fatal(err)
		}
		if sender.KeySize() != want || opened.Context.KeySize() != want {
			t.Errorf("%s: key sizes %d and %d, want %d", alg, sender.KeySize(), opened.Context.KeySize(), want)
		}
	}
}

// Every alg names its whole suite, and the names are RFC 9180's.
func TestSuiteNamesEveryAlgorithm(t *testing.T) {
	for _, a := range Algs() {
		if d := a.Suite(); strings.Count(d, ", ") < 2 || strings.Contains(d, ", ,") || strings.HasPrefix(d, ",") {
			t.Errorf("%s.Suite() = %q", a, d)
		}
	}
	for a, want := range map[Alg]string{
		HPKE3:            "DHKEM(X25519), HKDF-SHA256, AES-128-GCM",
		Alg("HPKE-4-KE"): "DHKEM(X25519), HKDF-SHA256, ChaCha20Poly1305; key encryption mode",
		HPKE9:            "post-quantum hybrid X-Wing: ML-KEM-768 + X25519, SHAKE256, AES-256-GCM",
		"HPKE-99":        "",
	} {
		if got := a.Suite(); got != want {
			t.Errorf("%s.Suite() = %q, want %q", a, got, want)
		}
	}
}
