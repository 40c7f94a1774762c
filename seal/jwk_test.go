package seal

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// jwkMap returns a key's JWK as a map, for editing.
func jwkMap(t *testing.T, v json.Marshaler) map[string]any {
	t.Helper()
	b, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestJWKRoundTrip: private and public JWKs out and back in for every alg,
// with kid = RFC 7638 thumbprint, alg and use "enc".
func TestJWKRoundTrip(t *testing.T) {
	for _, alg := range Algs() {
		t.Run(string(alg), func(t *testing.T) {
			key, _ := GenerateKey(alg)
			priv, _ := key.MarshalJSON()
			back, err := ParsePrivateJWK(priv)
			if err != nil {
				t.Fatalf("ParsePrivateJWK(%s): %v", priv, err)
			}
			pubJSON, _ := key.Public().MarshalJSON()
			pub, err := ParsePublicJWK(pubJSON)
			if err != nil {
				t.Fatalf("ParsePublicJWK: %v", err)
			}
			if back.KID() != key.KID() || pub.KID() != key.KID() || back.Alg() != alg || pub.Alg() != alg {
				t.Fatal("kid or alg changed")
			}
			m := jwkMap(t, key.Public())
			if m["use"] != "enc" || m["alg"] != string(alg) || m["kid"] != key.KID() || m["d"] != nil || m["priv"] != nil {
				t.Fatalf("public JWK %v", m)
			}
			ks, _ := NewKeySet(back)
			env, _ := Seal(pub, []byte("jwk"))
			if _, err := Open(ks, env); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWrongKeyTypeForAlg: every key is bound to one alg, and the JWK's kty
// and crv must be the ones that alg uses (draft §9 Table 3; pq-pqt §4).
func TestWrongKeyTypeForAlg(t *testing.T) {
	p256, _ := GenerateKey(HPKE0)
	x25519, _ := GenerateKey(HPKE3)
	xwing, _ := GenerateKey(HPKE9)
	edit := func(k json.Marshaler, set map[string]any) []byte {
		m := jwkMap(t, k)
		for name, v := range set {
			if v == nil {
				delete(m, name)
			} else {
				m[name] = v
			}
		}
		return mustJSON(m)
	}
	cases := []struct {
		name string
		jwk  []byte
		want error
	}{
		{"EC P-256 key claiming X25519 alg", edit(p256, map[string]any{"alg": "HPKE-3", "kid": nil}), ErrInvalidKey},
		{"OKP X25519 key claiming P-256 alg", edit(x25519, map[string]any{"alg": "HPKE-0", "kid": nil}), ErrInvalidKey},
		{"OKP X25519 key claiming X448 alg", edit(x25519, map[string]any{"alg": "HPKE-5", "kid": nil}), ErrInvalidKey},
		{"AKP key claiming P-256 alg", edit(xwing, map[string]any{"alg": "HPKE-0", "kid": nil}), ErrInvalidKey},
		{"X-Wing key claiming ML-KEM-768 alg", edit(xwing, map[string]any{"alg": "HPKE-12", "kid": nil}), ErrInvalidKey},
		{"EC key with wrong curve", edit(p256, map[string]any{"crv": "P-384", "kid": nil}), ErrInvalidKey},
		{"alg absent", edit(x25519, map[string]any{"alg": nil}), ErrInvalidKey},
		{"alg not HPKE", edit(x25519, map[string]any{"alg": "ECDH-ES"}), ErrUnsupported},
		{"use sig", edit(x25519, map[string]any{"use": "sig"}), ErrInvalidKey},
		{"key_ops sign", edit(x25519, map[string]any{"key_ops": []string{"sign"}}), ErrInvalidKey},
		{"kid empty", edit(x25519, map[string]any{"kid": ""}), ErrInvalidKey},
		{"kid over 256 bytes", edit(x25519, map[string]any{"kid": strings.Repeat("k", maxKIDLen+1)}), ErrInvalidKey},
		{"private key does not match public", edit(x25519, map[string]any{"x": jwkMap(t, p256)["x"]}), ErrInvalidKey},
		{"private member missing", edit(x25519, map[string]any{"d": nil}), ErrInvalidKey},
		{"public member missing", edit(x25519, map[string]any{"x": nil}), ErrInvalidKey},
		{"member of another key type", edit(x25519, map[string]any{"y": "AAAA"}), ErrInvalidKey},
		{"short d", edit(x25519, map[string]any{"d": "AAAA"}), ErrInvalidKey},
		{"padded d", edit(x25519, map[string]any{"d": jwkMap(t, x25519)["d"].(string) + "="}), ErrInvalidKey},
		{"duplicate alg member", []byte(`{"kty":"OKP","crv":"X25519","alg":"HPKE-3","alg":"HPKE-4","x":"AAAA","d":"AAAA"}`), ErrMalformed},
		{"not an object", []byte(`["HPKE-3"]`), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParsePrivateJWK(c.jwk); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	t.Run("private members in a public JWK", func(t *testing.T) {
		priv, _ := x25519.MarshalJSON()
		if _, err := ParsePublicJWK(priv); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("invalid P-256 point", func(t *testing.T) {
		pub := edit(p256.Public(), map[string]any{"y": jwkMap(t, p256)["x"], "kid": nil})
		if _, err := ParsePublicJWK(pub); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestJWKS: key sets in and out as RFC 7517 §5 JWK Sets, primary first.
func TestJWKS(t *testing.T) {
	a, _ := GenerateKey(HPKE9)
	b, _ := GenerateKey(HPKE3)
	ks, _ := NewKeySet(a, b)
	priv, _ := ks.MarshalJSON()
	back, err := ParseKeySet(priv)
	if err != nil {
		t.Fatal(err)
	}
	if back.Primary().KID() != a.KID() {
		t.Fatal("primary changed")
	}
	if _, ok := back.Lookup(b.KID()); !ok {
		t.Fatal("older key lost")
	}
	pub, _ := ks.Public().MarshalJSON()
	if strings.Contains(string(pub), `"d"`) || strings.Contains(string(pub), `"priv"`) {
		t.Fatal("private material in public JWKS")
	}
	ps, err := ParsePublicKeySet(pub)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Primary().KID() != a.KID() || len(ps.Keys()) != 2 {
		t.Fatal("public set")
	}
	if _, err := ParsePublicKeySet(priv); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("private JWKS as public: %v", err)
	}
	for _, bad := range []string{`{}`, `{"keys":[]}`, `{"keys":{}}`, `{"keys":[],"keys":[]}`, `[]`} {
		if _, err := ParsePublicKeySet([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestKnownHeaderFastPathMatchesParser: the precomputed headers Open
// recognises parse, by the strict parser, to exactly what is stored.
func TestKnownHeaderFastPathMatchesParser(t *testing.T) {
	var keys []*PrivateKey
	for _, alg := range Algs() {
		k, _ := GenerateKey(alg)
		keys = append(keys, k)
	}
	ks, _ := NewKeySet(keys[0], keys[1:]...)
	if len(ks.known) != 2*13 {
		t.Fatalf("%d known headers, want one pair per integrated key", len(ks.known))
	}
	for enc, h := range ks.known {
		p, err := parseHeader(enc)
		if err != nil || p.Header != h.Header || p.spec != h.spec || p.ek != h.ek {
			t.Fatalf("%s: %v", enc, err)
		}
	}
}

// TestForeignKIDSealsAndOpens keeps the kid an identity provider gave a
// key, on both halves, through Seal and Open; keys made here keep their
// RFC 7638 thumbprint.
func TestForeignKIDSealsAndOpens(t *testing.T) {
	const kid = "enc-2026-11"
	k, _ := GenerateKey(HPKE3)
	m := jwkMap(t, k)
	m["kid"] = kid
	priv, err := ParsePrivateJWK(mustJSON(m))
	if err != nil || priv.KID() != kid {
		t.Fatalf("private: %v", err)
	}
	delete(m, "d")
	pub, err := ParsePublicJWK(mustJSON(m))
	if err != nil || pub.KID() != kid {
		t.Fatalf("public: %v", err)
	}
	if back := jwkMap(t, pub); back["kid"] != kid {
		t.Fatalf("marshalled kid %v", back["kid"])
	}
	env, err := Seal(pub, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := NewKeySet(priv)
	got, err := Open(ks, env)
	if err != nil || got.Header.KID != kid || string(got.Plaintext) != "hello" {
		t.Fatalf("Open: %v", err)
	}
	if fresh, _ := GenerateKey(HPKE3); fresh.KID() != thumbprint(publicJWK(fresh.spec, fresh.pub.kem.bytes())) {
		t.Fatal("a generated key's kid is not its thumbprint")
	}
}
