package seal

import "testing"

func TestAEADKeySizeFollowsSuite(t *testing.T) {
	for alg, want := range map[Alg]int{
		HPKE0: 16, HPKE3: 16, HPKE0KE: 16, HPKE1: 32, HPKE4: 32, HPKE7: 32, HPKE9: 32, HPKE13KE: 32, "HPKE-99": 0,
	} {
		if got := alg.AEADKeySize(); got != want {
			t.Errorf("%s.AEADKeySize() = %d, want %d", alg, got, want)
		}
	}
}
