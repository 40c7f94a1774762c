package streamkey

import (
	"bytes"
	"testing"

	"github.com/sealjwt/sealjwt/seal"
)

// exporters returns the sender's and the receiver's side of one envelope's
// HPKE context.
func exporters(t *testing.T, alg seal.Alg) (sender, receiver *seal.Context) {
	t.Helper()
	key, err := seal.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	env, sender, err := seal.SealContext(key.Public(), []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	opened, err := seal.Open(keys, env)
	if err != nil {
		t.Fatal(err)
	}
	return sender, opened.Context
}

// The stream's key and nonce are the export the protocol document names,
// split after the suite's AEAD key size, and both sides get them.
func TestStreamIsTheDocumentedExport(t *testing.T) {
	for alg, nk := range map[seal.Alg]int{seal.HPKE3: 16, seal.HPKE0: 16, seal.HPKE9: 32, seal.HPKE1: 32} {
		sender, receiver := exporters(t, alg)
		want, err := sender.Export("sealjwt stream", nk+12)
		if err != nil {
			t.Fatal(err)
		}
		for _, exp := range []*seal.Context{sender, receiver} {
			key, nonce, err := Stream(exp)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key, want[:nk]) || !bytes.Equal(nonce, want[nk:]) {
				t.Fatalf("%s: stream key %x nonce %x, want %x", alg, key, nonce, want)
			}
		}
	}
}

// No stream key equals an HTTP body key of the same envelope: a stream's
// records cannot be spliced into a request or a response, nor the reverse.
func TestStreamKeysDifferFromBodyKeys(t *testing.T) {
	for _, alg := range []seal.Alg{seal.HPKE3, seal.HPKE9} {
		exp, _ := exporters(t, alg)
		stream, streamNonce, err := Stream(exp)
		if err != nil {
			t.Fatal(err)
		}
		request, requestNonce, err := Request(exp)
		if err != nil {
			t.Fatal(err)
		}
		response, responseNonce, err := Response(exp, make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		keys := [][]byte{stream, request, response, streamNonce, requestNonce, responseNonce}
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if bytes.Equal(keys[i], keys[j]) || bytes.HasPrefix(keys[i], keys[j]) || bytes.HasPrefix(keys[j], keys[i]) {
					t.Fatalf("%s: derived values %d and %d overlap: %x", alg, i, j, keys[i])
				}
			}
		}
	}
}
