package sealjwt_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A sender seals a stream of any length (a file, a backup) to the receiver;
// the receiver verifies the signed message at its head, then reads the
// plaintext, which ends cleanly only if the stream arrived whole.
func ExampleSealer_SealStream() {
	ctx := context.Background()
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)
	sealKey, _ := seal.GenerateKey(seal.DefaultAlg)
	sealKeys, _ := seal.NewKeySet(sealKey)

	// Sender: the envelope goes out first, then the records as they fill.
	signer, _ := token.NewSigner(signKeys, "backup")
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		log.Fatal(err)
	}
	var sealed bytes.Buffer // a file, a socket, a queue message...
	w, err := sealer.SealStream(ctx, &sealed, sealKeys.Public().Primary(), "vault", map[string]string{"name": "db.dump"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(w, strings.NewReader("a very long database dump")); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // writes the final record
		log.Fatal(err)
	}

	// Receiver: the verified message first, then the plaintext.
	verifier, _ := token.NewVerifier("vault")
	if err := verifier.Trust("backup", signKeys.Verifying()); err != nil {
		log.Fatal(err)
	}
	opener, err := sealjwt.NewOpener(sealKeys, verifier)
	if err != nil {
		log.Fatal(err)
	}
	msg, plaintext, err := opener.OpenStream(ctx, &sealed)
	if err != nil {
		log.Fatal(err)
	}
	var claims struct{ Name string }
	if err := msg.Decode(&claims); err != nil {
		log.Fatal(err)
	}
	var out strings.Builder
	if _, err := io.Copy(&out, plaintext); err != nil { // ErrTruncated if cut short
		log.Fatal(err)
	}
	fmt.Println(msg.Issuer, claims.Name, out.String())
	// Output:
	// backup db.dump a very long database dump
}
