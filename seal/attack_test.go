package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fixture is a key set and an envelope sealed to its primary key.
type fixture struct {
	key *PrivateKey
	ks  *KeySet
	env string
}

func newFixture(t testing.TB, alg Alg) fixture {
	t.Helper()
	key, err := GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := NewKeySet(key)
	env, err := Seal(key.Public(), []byte("attack at dawn"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{key: key, ks: ks, env: env}
}

// withHeader replaces the protected header of a compact JWE by the given
// JSON, keeping every other segment.
func withHeader(env, json string) string {
	return b64(json) + env[strings.IndexByte(env, '.'):]
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// segment replaces segment i of a compact JWE.
func segment(env string, i int, s string) string {
	parts := strings.Split(env, ".")
	parts[i] = s
	return strings.Join(parts, ".")
}

// flipByte flips one bit in the middle of the base64url segment i.
func flipByte(t *testing.T, env string, i int) string {
	parts := strings.Split(env, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil || len(raw) == 0 {
		t.Fatalf("segment %d: %v", i, err)
	}
	raw[len(raw)/2] ^= 0x01
	parts[i] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// requireOpaque asserts the single opaque decryption error, with no detail.
func requireOpaque(t *testing.T, err error) {
	t.Helper()
	if err != ErrDecryption || err.Error() != ErrDecryption.Error() {
		t.Fatalf("got %v, want exactly ErrDecryption", err)
	}
}

// TestTamperingIsOpaque: changing any authenticated part of the envelope
// gives the same opaque error (draft §7.2; RFC 9180 §5.2).
func TestTamperingIsOpaque(t *testing.T) {
	for _, alg := range []Alg{HPKE0, HPKE3, HPKE5, HPKE9, Alg("HPKE-3-KE"), Alg("HPKE-9-KE")} {
		f := newFixture(t, alg)
		hdr := fmt.Sprintf(`{"alg":%q,"kid":%q,"typ":"x"}`, alg, f.key.KID())
		if alg.KeyEncryption() {
			p, _ := splitCompact(f.env)
			h, _ := parseHeader(p.protected)
			hdr = fmt.Sprintf(`{"alg":%q,"kid":%q,"enc":%q,"ek":%q,"typ":"x"}`, alg, f.key.KID(), h.Enc, h.ek)
		}
		cases := map[string]string{
			"tampered header":           withHeader(f.env, hdr),
			"tampered encapsulated key": flipByte(t, f.env, 1),
			"tampered ciphertext":       flipByte(t, f.env, 3),
		}
		if alg.KeyEncryption() {
			cases["tampered iv"] = flipByte(t, f.env, 2)
			cases["tampered tag"] = flipByte(t, f.env, 4)
		}
		for name, env := range cases {
			t.Run(string(alg)+"/"+name, func(t *testing.T) {
				_, err := Open(f.ks, env)
				requireOpaque(t, err)
			})
		}
	}
}

// TestHeaderAttacks: header parameters that would let the message choose
// how it is processed are refused (DESIGN wire format 6; RFC 7516 §4.1).
func TestHeaderAttacks(t *testing.T) {
	f := newFixture(t, HPKE3)
	kid := f.key.KID()
	other, _ := GenerateKey(HPKE3)
	cases := []struct {
		name, header string
		want         error
	}{
		{"alg swapped to another suite for the same key type", `{"alg":"HPKE-4","kid":"` + kid + `"}`, ErrInvalidKey},
		{"alg swapped to key encryption", `{"alg":"HPKE-3-KE","kid":"` + kid + `","enc":"A128GCM","ek":"AAAA"}`, ErrInvalidKey},
		{"alg swapped to an unsupported alg", `{"alg":"ECDH-ES","kid":"` + kid + `"}`, ErrUnsupported},
		{"alg none", `{"alg":"none","kid":"` + kid + `"}`, ErrUnsupported},
		{"alg missing", `{"kid":"` + kid + `"}`, ErrMalformed},
		{"alg of wrong JSON type", `{"alg":3,"kid":"` + kid + `"}`, ErrMalformed},
		{"unknown kid", `{"alg":"HPKE-3","kid":"` + other.KID() + `"}`, ErrUnknownKey},
		{"kid missing", `{"alg":"HPKE-3"}`, ErrMalformed},
		{"enc present in integrated encryption", `{"alg":"HPKE-3","kid":"` + kid + `","enc":"A128GCM"}`, ErrMalformed},
		{"ek present in integrated encryption", `{"alg":"HPKE-3","kid":"` + kid + `","ek":"AAAA"}`, ErrMalformed},
		{"zip present", `{"alg":"HPKE-3","kid":"` + kid + `","zip":"DEF"}`, ErrUnsupported},
		{"crit present", `{"alg":"HPKE-3","kid":"` + kid + `","crit":["exp"],"exp":1}`, ErrUnsupported},
		{"jku present", `{"alg":"HPKE-3","kid":"` + kid + `","jku":"https://attacker.example/jwks"}`, ErrUnsupported},
		{"jwk present", `{"alg":"HPKE-3","kid":"` + kid + `","jwk":{"kty":"OKP"}}`, ErrUnsupported},
		{"x5u present", `{"alg":"HPKE-3","kid":"` + kid + `","x5u":"https://attacker.example"}`, ErrUnsupported},
		{"x5c present", `{"alg":"HPKE-3","kid":"` + kid + `","x5c":["MIIB"]}`, ErrUnsupported},
		{"psk_id present", `{"alg":"HPKE-3","kid":"` + kid + `","psk_id":"cHNr"}`, ErrUnsupported},
		{"duplicate alg member", `{"alg":"HPKE-3","kid":"` + kid + `","alg":"HPKE-4"}`, ErrMalformed},
		{"duplicate member in nested object", `{"alg":"HPKE-3","kid":"` + kid + `","x":{"a":1,"a":2}}`, ErrMalformed},
		{"header is an array", `["HPKE-3"]`, ErrMalformed},
		{"trailing data after header", `{"alg":"HPKE-3","kid":"` + kid + `"}{}`, ErrMalformed},
		{"header not JSON", `alg=HPKE-3`, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(f.ks, withHeader(f.env, c.header))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestCompactSyntaxAttacks: RFC 7516 §7.1 (exactly four dots) and RFC 7515
// §2 base64url (no padding, no other characters, no line breaks).
func TestCompactSyntaxAttacks(t *testing.T) {
	f := newFixture(t, HPKE3)
	p, _ := splitCompact(f.env)
	cases := []struct{ name, env string }{
		{"four segments", strings.TrimSuffix(f.env, ".")},
		{"six segments", f.env + "."},
		{"empty string", ""},
		{"only dots", "...."},
		{"padding in header", segment(f.env, 0, p.protected+"=")},
		{"padding in encapsulated key", segment(f.env, 1, p.encryptedKey+"=")},
		{"padding in ciphertext", segment(f.env, 3, p.ciphertext+"==")},
		{"standard base64 alphabet", segment(f.env, 3, strings.ReplaceAll(strings.ReplaceAll(p.ciphertext, "-", "+"), "_", "/")+"+/")},
		{"whitespace in ciphertext", segment(f.env, 3, p.ciphertext[:8]+" "+p.ciphertext[8:])},
		{"line break in ciphertext", segment(f.env, 3, p.ciphertext[:8]+"\n"+p.ciphertext[8:])},
		{"non-ASCII in header", segment(f.env, 0, p.protected+"é")},
		{"non-empty iv in integrated encryption", segment(f.env, 2, "AAAAAAAAAAAAAAAA")},
		{"non-empty tag in integrated encryption", segment(f.env, 4, "AAAAAAAAAAAAAAAAAAAAAA")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(f.ks, c.env)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

// TestSizeCapBeforeParsing: oversized input is refused before any parsing,
// with allocations bounded whatever the input (DESIGN wire format 6).
func TestSizeCapBeforeParsing(t *testing.T) {
	dots := strings.Repeat(".", 10<<20)
	f := newFixture(t, HPKE3)
	t.Run("10 MiB of dots over the default cap", func(t *testing.T) {
		if _, err := Open(f.ks, dots); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v", err)
		}
		allocs := testing.AllocsPerRun(20, func() { _, _ = Open(f.ks, dots) })
		if allocs > 1 {
			t.Fatalf("%v allocations to refuse oversized input", allocs)
		}
	})
	t.Run("dots up to the cap", func(t *testing.T) {
		dots := dots[:MaxEnvelopeSize]
		if _, err := Open(f.ks, dots); !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v", err)
		}
		// The segment split does not allocate per dot: bounded in count
		// and bytes however many dots arrive.
		if allocs := testing.AllocsPerRun(20, func() { _, _ = Open(f.ks, dots) }); allocs > 2 {
			t.Fatalf("%v allocations for %d dots", allocs, len(dots))
		}
	})
	t.Run("oversized valid envelope", func(t *testing.T) {
		pt := make([]byte, MaxEnvelopeSize*3/4)
		if _, err := Seal(f.key.Public(), pt); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Seal of %d bytes: %v, want ErrTooLarge", len(pt), err)
		}
		if _, err := Seal(f.key.Public(), pt[:MaxEnvelopeSize/2]); err != nil {
			t.Fatalf("Seal of half the cap: %v", err)
		}
		big := f.env + strings.Repeat("A", MaxEnvelopeSize+1-len(f.env))
		if _, err := Open(f.ks, big); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("oversized flattened JWE", func(t *testing.T) {
		big := []byte(`{"protected":"` + strings.Repeat("A", MaxEnvelopeSize) + `"}`)
		if _, err := OpenFlattened(f.ks, big); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v", err)
		}
		if allocs := testing.AllocsPerRun(10, func() { _, _ = OpenFlattened(f.ks, big) }); allocs > 1 {
			t.Fatalf("%v allocations to refuse oversized input", allocs)
		}
	})
}

// countingKEM records whether a decapsulation was attempted.
type countingKEM struct {
	kemPrivate
	calls *int
}

func (c countingKEM) setup(enc, info []byte) (receiver, error) {
	*c.calls++
	return c.kemPrivate.setup(enc, info)
}

// TestEncapsulatedKeyLengthBeforeHPKE: for every KEM, an empty or short
// (or long) encapsulated key is the opaque error and never reaches the
// HPKE implementation (RFC 9180 §7.1, Nenc).
func TestEncapsulatedKeyLengthBeforeHPKE(t *testing.T) {
	for _, alg := range Algs() {
		f := newFixture(t, alg)
		calls := 0
		f.key.kem = countingKEM{f.key.kem, &calls}
		p, _ := splitCompact(f.env)
		enc := p.encryptedKey
		if alg.KeyEncryption() {
			h, _ := parseHeader(p.protected)
			enc = h.ek
		}
		raw, _ := base64.RawURLEncoding.DecodeString(enc)
		for name, bad := range map[string][]byte{
			"empty": {},
			"short": raw[:len(raw)-1],
			"long":  append(raw, 0),
		} {
			t.Run(string(alg)+"/"+name, func(t *testing.T) {
				env := segment(f.env, 1, b64(string(bad)))
				if alg.KeyEncryption() {
					env = rewriteEK(t, f, b64(string(bad)))
				}
				_, err := Open(f.ks, env)
				requireOpaque(t, err)
				if calls != 0 {
					t.Fatal("a wrong-length encapsulated key reached HPKE")
				}
			})
		}
	}
}

func rewriteEK(t *testing.T, f fixture, ek string) string {
	p, _ := splitCompact(f.env)
	h, _ := parseHeader(p.protected)
	return withHeader(f.env, fmt.Sprintf(`{"alg":%q,"kid":%q,"enc":%q,"ek":%q}`, h.Alg, h.KID, h.Enc, ek))
}

// x25519LowOrder are the X25519 public values of small order (RFC 7748
// §6.1 requires the all-zero check this exercises), including their
// non-canonical encodings.
var x25519LowOrder = []string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
}

// TestLowOrderX25519Point: an encapsulated key of small order gives an
// all-zero shared secret, which both backends must refuse; and a public
// key of small order cannot be sealed to.
func TestLowOrderX25519Point(t *testing.T) {
	for _, be := range []backend{stdBackend, circlBackend} {
		sp, _ := lookupAlg(HPKE3)
		k, err := be.generate(sp.suite)
		if err != nil {
			t.Fatal(err)
		}
		key := newPrivateKey(sp, k)
		ks, _ := NewKeySet(key)
		env, _ := Seal(key.Public(), []byte("x"))
		for _, point := range x25519LowOrder {
			raw, _ := hex.DecodeString(point)
			t.Run(be.name()+"/enc="+point[:8], func(t *testing.T) {
				_, err := Open(ks, segment(env, 1, base64.RawURLEncoding.EncodeToString(raw)))
				requireOpaque(t, err)
				if pub, err := be.newPublic(sp.suite, raw); err == nil {
					if _, err := Seal(newPublicKey(sp, pub), []byte("x")); err == nil {
						t.Fatal("sealed to a small-order public key")
					}
				}
			})
		}
	}
}

// TestOpenWithoutKeys: a nil key set is an error, not a panic.
func TestOpenWithoutKeys(t *testing.T) {
	f := newFixture(t, HPKE3)
	if _, err := Open(nil, f.env); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("got %v", err)
	}
	if _, err := Seal(nil, nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("got %v", err)
	}
}

// TestKeyRotation: envelopes to an older key of the set still open; the
// primary is what senders see first.
func TestKeyRotation(t *testing.T) {
	old, _ := GenerateKey(HPKE3)
	cur, _ := GenerateKey(HPKE9)
	ks, err := NewKeySet(cur, old)
	if err != nil {
		t.Fatal(err)
	}
	if ks.Primary() != cur || ks.Public().Primary().KID() != cur.KID() {
		t.Fatal("primary")
	}
	for _, k := range []*PrivateKey{old, cur} {
		env, _ := Seal(k.Public(), []byte("r"))
		if _, err := Open(ks, env); err != nil {
			t.Fatalf("%s: %v", k.Alg(), err)
		}
	}
	if _, err := NewKeySet(cur, cur); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("duplicate kid: %v", err)
	}
}

// TestFlattenedAttacks: RFC 7516 §7.2.2 flattened JSON, restricted to
// integrity-protected headers and strict JSON.
func TestFlattenedAttacks(t *testing.T) {
	f := newFixture(t, HPKE3)
	p, _ := splitCompact(f.env)
	base := fmt.Sprintf(`"protected":%q,"encrypted_key":%q,"ciphertext":%q`, p.protected, p.encryptedKey, p.ciphertext)
	if _, err := OpenFlattened(f.ks, []byte("{"+base+"}")); err != nil {
		t.Fatalf("valid flattened JWE: %v", err)
	}
	cases := []struct {
		name, jwe string
		want      error
	}{
		{"unprotected header", `{` + base + `,"unprotected":{"kid":"x"}}`, ErrUnsupported},
		{"per-recipient header", `{` + base + `,"header":{"alg":"HPKE-4"}}`, ErrUnsupported},
		{"general serialization", `{` + base + `,"recipients":[]}`, ErrUnsupported},
		{"unknown member", `{` + base + `,"extra":1}`, ErrMalformed},
		{"duplicate ciphertext member", `{` + base + `,"ciphertext":"AAAA"}`, ErrMalformed},
		{"non-string member", `{"protected":1,"encrypted_key":"","ciphertext":""}`, ErrMalformed},
		{"missing protected header", `{"encrypted_key":"","ciphertext":""}`, ErrMalformed},
		{"iv in integrated encryption", `{` + base + `,"iv":"AAAAAAAAAAAAAAAA"}`, ErrMalformed},
		{"aad not base64url", `{` + base + `,"aad":"a+b/"}`, ErrMalformed},
		{"trailing data", `{` + base + `} {}`, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := OpenFlattened(f.ks, []byte(c.jwe)); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// Attack: a JWK member in another case ("kTy", "D") that encoding/json
// would read as the member is refused by every parser, single key or set,
// so the two never disagree on what a key file says.
func TestAttackJWKMemberCaseVariant(t *testing.T) {
	k, err := GenerateKey(HPKE3)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := k.MarshalJSON()
	pub, _ := k.Public().MarshalJSON()
	for _, tc := range []struct{ name, from, to string }{
		{"kty", `"kty"`, `"kTy"`},
		{"d", `"d"`, `"D"`},
		{"alg", `"alg"`, `"ALG"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(priv), tc.from, tc.to, 1)
			if _, err := ParsePrivateJWK([]byte(bad)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParsePrivateJWK(%s) err = %v, want ErrMalformed", tc.to, err)
			}
			if _, err := ParseKeySet([]byte(bad)); err == nil {
				t.Errorf("ParseKeySet accepted %s", tc.to)
			}
			if tc.name == "d" {
				return
			}
			bad = strings.Replace(string(pub), tc.from, tc.to, 1)
			if _, err := ParsePublicJWK([]byte(bad)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParsePublicJWK(%s) err = %v, want ErrMalformed", tc.to, err)
			}
		})
	}
}
