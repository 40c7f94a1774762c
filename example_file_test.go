package sealjwt_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A backup job seals a dump to a service key and an offline recovery key;
// years later, either key alone opens it.
func ExampleSealer_SealFile() {
	ctx := context.Background()
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)
	service, _ := seal.GenerateKey(seal.DefaultAlg)
	recovery, _ := seal.GenerateKey(seal.DefaultAlg)

	signer, _ := token.NewSigner(signKeys, "backup")
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		log.Fatal(err)
	}
	var sealed bytes.Buffer // a file
	to := []*seal.PublicKey{service.Public(), recovery.Public()}
	w, err := sealer.SealFile(ctx, &sealed, to, map[string]string{"name": "db.dump"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(w, strings.NewReader("a very long database dump")); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // writes the final record
		log.Fatal(err)
	}

	// The recovery key alone, ten years later, refusing anything older.
	tenYears := func() time.Time { return time.Now().AddDate(10, 0, 0) }
	verifier, _ := token.NewVerifier("restore", token.WithClock(tenYears))
	if err := verifier.Trust("backup", signKeys.Verifying()); err != nil {
		log.Fatal(err)
	}
	keys, _ := seal.NewKeySet(recovery)
	opener, err := sealjwt.NewOpener(keys, verifier, sealjwt.WithMaxAge(11*365*24*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	file, plaintext, err := opener.OpenFile(ctx, &sealed)
	if err != nil {
		log.Fatal(err)
	}
	var out strings.Builder
	if _, err := io.Copy(&out, plaintext); err != nil { // ErrTruncated if cut short
		log.Fatal(err)
	}
	fmt.Println(file.Issuer, len(file.Recipients), out.String())
	// Output:
	// backup 2 a very long database dump
}
