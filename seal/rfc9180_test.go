package seal

import (
	"bytes"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The RFC 9180 and draft-ietf-hpke-pq vectors that ship with Go, run
// through this package's suite layer (backend key parsing and receiving
// context), with every backend that implements the vector's suite.

type rfc9180Vector struct {
	Mode       uint16 `json:"mode"`
	KEM        uint16 `json:"kem_id"`
	KDF        uint16 `json:"kdf_id"`
	AEAD       uint16 `json:"aead_id"`
	Info       string `json:"info"`
	SkRm       string `json:"skRm"`
	PkRm       string `json:"pkRm"`
	Enc        string `json:"enc"`
	AccExports string `json:"exports_accumulated"`
	Encs       []struct {
		Aad, Ct, Pt string
	} `json:"encryptions"`
	Exports []struct {
		Context string `json:"exporter_context"`
		L       int    `json:"L"`
		Value   string `json:"exported_value"`
	} `json:"exports"`
}

func loadGoHPKEVectors(t *testing.T, name string) []rfc9180Vector {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "src", "crypto", "hpke", "testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("Go's HPKE vectors: %v", err)
	}
	var vs []rfc9180Vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRFC9180AppendixA runs the base-mode vectors of RFC 9180 Appendix A
// (Go's condensed form: accumulated exports) and of draft-ietf-hpke-pq
// (explicit encryptions and exports) for every KEM this package supports.
func TestRFC9180AppendixA(t *testing.T) {
	ran := map[string]int{}
	for _, file := range []string{"rfc9180.json", "hpke-pq.json"} {
		for _, v := range loadGoHPKEVectors(t, file) {
			s := suite{kem: v.KEM, kdf: v.KDF, aead: v.AEAD}
			if _, ours := kemSizes[v.KEM]; !ours || v.Mode != 0 {
				continue
			}
			for _, be := range []backend{stdBackend, circlBackend} {
				if !be.supports(s) {
					continue
				}
				name := file + "/" + be.name() + "/" + hex.EncodeToString([]byte{byte(v.KEM >> 8), byte(v.KEM), byte(v.KDF), byte(v.AEAD)})
				t.Run(name, func(t *testing.T) { runRFC9180Vector(t, be, s, v) })
				ran[be.name()]++
			}
		}
	}
	// Both backends must have run vectors, or this test proves nothing.
	if ran["crypto/hpke"] < 10 || ran["circl"] < 10 {
		t.Fatalf("too few vectors ran: %v", ran)
	}
}

func runRFC9180Vector(t *testing.T, be backend, s suite, v rfc9180Vector) {
	sk, err := be.newPrivate(s, unhex(t, v.SkRm))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sk.public().bytes(), unhex(t, v.PkRm)) {
		t.Fatal("public key derived from skRm differs from pkRm")
	}
	r, err := sk.setup(unhex(t, v.Enc), unhex(t, v.Info))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range v.Encs {
		pt, err := r.Open(unhex(t, e.Aad), unhex(t, e.Ct))
		if err != nil || !bytes.Equal(pt, unhex(t, e.Pt)) {
			t.Fatalf("encryption %d: %v", i, err)
		}
	}
	for i, e := range v.Exports {
		got, err := r.Export(string(unhex(t, e.Context)), e.L)
		if err != nil || !bytes.Equal(got, unhex(t, e.Value)) {
			t.Fatalf("export %d: %v", i, err)
		}
	}
	if v.AccExports != "" {
		checkAccumulatedExports(t, r, unhex(t, v.AccExports))
	}
}

// checkAccumulatedExports recomputes Go's accumulated export digest:
// 1000 exports of lengths 0..999 under contexts drawn from SHAKE128.
func checkAccumulatedExports(t *testing.T, r exporter, want []byte) {
	source, sink := sha3.NewSHAKE128(), sha3.NewSHAKE128()
	for l := range 1000 {
		value, err := r.Export(string(drawInput(t, source)), l)
		if err != nil {
			t.Fatal(err)
		}
		sink.Write(value)
	}
	got := make([]byte, 16)
	sink.Read(got)
	if !bytes.Equal(got, want) {
		t.Fatalf("accumulated exports %x, want %x", got, want)
	}
}

func drawInput(t *testing.T, r io.Reader) []byte {
	l := make([]byte, 1)
	if _, err := r.Read(l); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, l[0])
	if _, err := r.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCrossImplementation seals with one HPKE library and opens with the
// other, for every suite both implement, through the whole envelope.
func TestCrossImplementation(t *testing.T) {
	pairs := 0
	for _, alg := range Algs() {
		sp, _ := lookupAlg(alg)
		if !stdBackend.supports(sp.suite) || !circlBackend.supports(sp.suite) {
			continue
		}
		for _, dir := range [][2]backend{{stdBackend, circlBackend}, {circlBackend, stdBackend}} {
			from, to := dir[0], dir[1]
			t.Run(string(alg)+"/"+from.name()+"->"+to.name(), func(t *testing.T) {
				sender, err := from.generate(sp.suite)
				if err != nil {
					t.Fatal(err)
				}
				recv, err := to.newPrivate(sp.suite, sender.bytes())
				if err != nil {
					t.Fatal(err)
				}
				pub, err := from.newPublic(sp.suite, recv.public().bytes())
				if err != nil {
					t.Fatal(err)
				}
				ks, _ := NewKeySet(newPrivateKey(sp, recv))
				env, exp, err := SealContext(newPublicKey(sp, pub), []byte("cross"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := Open(ks, env)
				if err != nil || string(got.Plaintext) != "cross" {
					t.Fatalf("Open: %v", err)
				}
				a, _ := exp.Export("x", 32)
				b, _ := got.Context.Export("x", 32)
				if !bytes.Equal(a, b) {
					t.Fatal("exports differ across implementations")
				}
			})
			pairs++
		}
	}
	// HPKE-0,1,2,3,4,7 in both modes, both directions.
	if pairs != 24 {
		t.Fatalf("%d cross-implementation pairs, want 24", pairs)
	}
}
