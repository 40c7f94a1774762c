package seal

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestSealOpenRoundTrip seals and opens with every alg, in both modes, with
// and without cty, and checks that both sides derive the same exports.
func TestSealOpenRoundTrip(t *testing.T) {
	for _, alg := range Algs() {
		t.Run(string(alg), func(t *testing.T) {
			key, err := GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			ks, _ := NewKeySet(key)
			for _, cty := range []string{"", "JWT"} {
				msg := []byte("message for " + string(alg))
				env, exp, err := SealContext(key.Public(), msg, WithContentType(cty))
				if err != nil {
					t.Fatal(err)
				}
				got, err := Open(ks, env)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(got.Plaintext, msg) || got.Header.Cty != cty || got.Header.Alg != alg {
					t.Fatalf("got %q %+v", got.Plaintext, got.Header)
				}
				a, err := exp.Export("sealjwt test", 32)
				if err != nil {
					t.Fatal(err)
				}
				b, err := got.Context.Export("sealjwt test", 32)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Fatal("sender and recipient exports differ")
				}
				if c, _ := got.Context.Export("other label", 32); bytes.Equal(c, a) {
					t.Fatal("exports under different labels are equal")
				}
			}
		})
	}
}

// TestSealEmptyPlaintext: an empty plaintext is valid JWE content.
func TestSealEmptyPlaintext(t *testing.T) {
	for _, alg := range []Alg{HPKE3, Alg("HPKE-3-KE")} {
		key, _ := GenerateKey(alg)
		ks, _ := NewKeySet(key)
		env, err := Seal(key.Public(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(ks, env)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if len(got.Plaintext) != 0 {
			t.Fatalf("%s: plaintext %q", alg, got.Plaintext)
		}
	}
}

// TestSealProtectedHeaderMembers checks the protected header Seal writes:
// alg and kid (and cty when asked) in integrated mode, plus enc and ek in
// key encryption mode, and nothing else.
func TestSealProtectedHeaderMembers(t *testing.T) {
	for _, alg := range []Alg{HPKE9, Alg("HPKE-9-KE")} {
		key, _ := GenerateKey(alg)
		env, err := Seal(key.Public(), []byte("x"), WithContentType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := splitCompact(env)
		raw, err := strictDecodeForTest(p.protected)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"alg": true, "kid": true, "cty": true}
		if alg.KeyEncryption() {
			want["enc"], want["ek"] = true, true
		}
		for k := range m {
			if !want[k] {
				t.Errorf("%s: unexpected header member %q", alg, k)
			}
			delete(want, k)
		}
		if len(want) != 0 {
			t.Errorf("%s: missing header members %v", alg, want)
		}
		if m["alg"] != string(alg) || m["kid"] != key.KID() || m["cty"] != "JWT" {
			t.Errorf("%s: header %v", alg, m)
		}
		if !alg.KeyEncryption() && (p.iv != "" || p.tag != "") {
			t.Errorf("%s: IV and tag must be empty in integrated encryption", alg)
		}
	}
}

// TestKEMSizes checks the length table used for pre-HPKE checks against
// what the backends actually produce, for every alg.
func TestKEMSizes(t *testing.T) {
	for _, alg := range Algs() {
		sp, _ := lookupAlg(alg)
		size := kemSizes[sp.suite.kem]
		key, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(key.kem.bytes()); n != size.priv {
			t.Errorf("%s: private key %d bytes, table says %d", alg, n, size.priv)
		}
		if n := len(key.pub.kem.bytes()); n != size.pub {
			t.Errorf("%s: public key %d bytes, table says %d", alg, n, size.pub)
		}
		enc, _, _, err := key.pub.kem.seal(nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != size.enc {
			t.Errorf("%s: enc %d bytes, table says %d", alg, len(enc), size.enc)
		}
	}
}

// TestAlgsListsEverySuite: 13 suites, each in both modes, HPKE-9 default.
func TestAlgsListsEverySuite(t *testing.T) {
	algs := Algs()
	if len(algs) != 26 {
		t.Fatalf("%d algs", len(algs))
	}
	seen := map[Alg]bool{}
	for _, a := range algs {
		if seen[a] || !a.Supported() {
			t.Errorf("alg %s duplicated or unsupported", a)
		}
		seen[a] = true
	}
	if DefaultAlg != HPKE9 || !seen[DefaultAlg] {
		t.Error("default alg must be HPKE-9")
	}
}
