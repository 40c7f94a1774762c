package seal

import (
	"strings"
	"testing"
)

func TestAEADKeySizeFollowsSuite(t *testing.T) {
	for alg, want := range map[Alg]int{
		HPKE0: 16, HPKE3: 16, HPKE0KE: 16, HPKE1: 32, HPKE4: 32, HPKE7: 32, HPKE9: 32, HPKE13KE: 32, "HPKE-99": 0,
	} {
		if got := alg.AEADKeySize(); got != want {
			t.Errorf("%s.AEADKeySize() = %d, want %d", alg, got, want)
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
		HPKE3:     "DHKEM(X25519), HKDF-SHA256, AES-128-GCM",
		HPKE4KE:   "DHKEM(X25519), HKDF-SHA256, ChaCha20Poly1305; key encryption mode",
		HPKE9:     "post-quantum hybrid X-Wing: ML-KEM-768 + X25519, SHAKE256, AES-256-GCM",
		"HPKE-99": "",
	} {
		if got := a.Suite(); got != want {
			t.Errorf("%s.Suite() = %q, want %q", a, got, want)
		}
	}
}
