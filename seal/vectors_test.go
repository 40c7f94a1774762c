package seal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vectorPlaintext is the plaintext of every example in
// draft-ietf-jose-hpke-encrypt-20 Appendix A.
const vectorPlaintext = "You can trust us to stick with you through thick and thin-to the bitter end. And you can trust us to keep any secret of yours-closer than you keep it yourself. But you cannot trust us to let you face trouble alone, and go off without a word. We are your friends, Frodo."

// vectorAAD is the JWE AAD of the flattened examples.
const vectorAAD = "The Fellowship of the Ring"

type draftVector struct {
	Alg       string          `json:"alg"`
	JWK       json.RawMessage `json:"jwk"`
	Flattened json.RawMessage `json:"flattened"`
	Compact   string          `json:"compact"`
}

// draft20VectorFile holds every example of draft-ietf-jose-hpke-encrypt-20
// Appendix A; testdata/README.md notes its source.
const draft20VectorFile = "jose-hpke-draft20.json"

// readTestdata reads a file of the repository's top-level testdata
// directory. A missing file fails the test: the vectors ship with the
// repository, so every conformance test runs in every clone.
func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		tb.Fatalf("test vectors: %v", err)
	}
	return data
}

func loadDraftVectors(tb testing.TB) []draftVector {
	tb.Helper()
	var vs []draftVector
	if err := json.Unmarshal(readTestdata(tb, draft20VectorFile), &vs); err != nil {
		tb.Fatal(err)
	}
	if len(vs) != 16 {
		tb.Fatalf("got %d vectors, want 16", len(vs))
	}
	return vs
}

// TestDraft20AppendixA opens every example of draft-ietf-jose-hpke-encrypt-20
// Appendix A, in compact and flattened (with JWE AAD) serialization.
func TestDraft20AppendixA(t *testing.T) {
	for _, v := range loadDraftVectors(t) {
		t.Run(v.Alg, func(t *testing.T) {
			key, err := ParsePrivateJWK(v.JWK)
			if err != nil {
				t.Fatalf("ParsePrivateJWK: %v", err)
			}
			if key.Alg() != Alg(v.Alg) {
				t.Fatalf("key alg %s, want %s", key.Alg(), v.Alg)
			}
			var kid struct{ Kid string }
			_ = json.Unmarshal(v.JWK, &kid)
			if key.KID() != kid.Kid {
				t.Errorf("KID %s, want the vector's RFC 7638 thumbprint %s", key.KID(), kid.Kid)
			}
			ks, err := NewKeySet(key)
			if err != nil {
				t.Fatal(err)
			}
			t.Run("compact", func(t *testing.T) {
				got, err := Open(ks, v.Compact)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				checkOpened(t, got, v.Alg, key.KID())
			})
			t.Run("flattened", func(t *testing.T) {
				var m struct{ AAD string }
				if err := json.Unmarshal(v.Flattened, &m); err != nil || m.AAD != b64(vectorAAD) {
					t.Fatalf("vector aad %q, want BASE64URL(%q)", m.AAD, vectorAAD)
				}
				got, err := OpenFlattened(ks, v.Flattened)
				if err != nil {
					t.Fatalf("OpenFlattened: %v", err)
				}
				checkOpened(t, got, v.Alg, key.KID())
			})
		})
	}
}

func checkOpened(t *testing.T, got *Opened, alg, kid string) {
	t.Helper()
	checkOpenedText(t, got, alg, kid, vectorPlaintext)
}

func checkOpenedText(t *testing.T, got *Opened, alg, kid, plaintext string) {
	t.Helper()
	if string(got.Plaintext) != plaintext {
		t.Errorf("plaintext %q", got.Plaintext)
	}
	if got.Header.Alg != Alg(alg) || got.Header.KID != kid {
		t.Errorf("header %+v", got.Header)
	}
	if Alg(alg).KeyEncryption() != (got.Header.Enc != "") {
		t.Errorf("header enc %q for %s", got.Header.Enc, alg)
	}
}

// TestDraft20FlattenedAADIsBound checks §7.2 step 16: the JWE AAD is part of
// the authenticated data, so changing it fails decryption.
func TestDraft20FlattenedAADIsBound(t *testing.T) {
	for _, v := range loadDraftVectors(t) {
		t.Run(v.Alg, func(t *testing.T) {
			key, err := ParsePrivateJWK(v.JWK)
			if err != nil {
				t.Fatal(err)
			}
			ks, _ := NewKeySet(key)
			var m map[string]string
			if err := json.Unmarshal(v.Flattened, &m); err != nil {
				t.Fatal(err)
			}
			m["aad"] = "VGhlIFR3byBUb3dlcnM" // "The Two Towers"
			b, _ := json.Marshal(m)
			if _, err := OpenFlattened(ks, b); err != ErrDecryption {
				t.Fatalf("changed aad: got %v, want ErrDecryption", err)
			}
			delete(m, "aad")
			b, _ = json.Marshal(m)
			if _, err := OpenFlattened(ks, b); err != ErrDecryption {
				t.Fatalf("removed aad: got %v, want ErrDecryption", err)
			}
		})
	}
}

// TestPQDraft00AppendixA1 opens the HPKE-8 example of
// draft-ietf-jose-hpke-pq-pqt-00 (MLKEM768-P256, SHAKE256, AES-256-GCM), and
// checks the AKP JWK representation (§4) and its thumbprint.
func TestPQDraft00AppendixA1(t *testing.T) {
	var v draftVector
	if err := json.Unmarshal(readTestdata(t, "draft-ietf-jose-hpke-pq-pqt-00-HPKE-8.json"), &v); err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateJWK(v.JWK)
	if err != nil {
		t.Fatalf("ParsePrivateJWK: %v", err)
	}
	if key.Alg() != HPKE8 || key.KID() != "DmOWQi-VwrjZWjO6mQQWdv3CJ_v9k_PH3vS7S0xoah8" {
		t.Fatalf("alg %s kid %s", key.Alg(), key.KID())
	}
	ks, _ := NewKeySet(key)
	got, err := Open(ks, v.Compact)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// This draft's examples spell the plaintext with U+2013 en dashes.
	want := strings.ReplaceAll(vectorPlaintext, "-", "\u2013")
	checkOpenedText(t, got, v.Alg, key.KID(), want)
}
