package sealjwt_test

import (
	"context"
	"fmt"
	"log"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// A sender signs a message as "billing" and seals it to the "ledger"
// service; the ledger opens it, knowing billing's public signing keys.
func Example() {
	ctx := context.Background()

	// The sender's signing key (EdDSA by default) and the receiver's
	// sealing key (HPKE-9, post-quantum X-Wing, by default).
	signKey, err := token.GenerateKey(token.DefaultAlg)
	if err != nil {
		log.Fatal(err)
	}
	signKeys, _ := token.NewKeySet(signKey)
	sealKey, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		log.Fatal(err)
	}
	sealKeys, _ := seal.NewKeySet(sealKey)

	// Sender: a signer for its issuer name, and a sealer around it that
	// signs, then seals to the receiver's public key.
	signer, err := token.NewSigner(signKeys, "billing")
	if err != nil {
		log.Fatal(err)
	}
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		log.Fatal(err)
	}
	type invoice struct {
		Number string `json:"number"`
		Cents  int    `json:"cents"`
	}
	envelope, err := sealer.Seal(ctx, sealKeys.Public().Primary(), "ledger", invoice{"INV-7", 4200})
	if err != nil {
		log.Fatal(err)
	}

	// Receiver: a verifier for its own id that trusts billing's public
	// keys, and an opener that opens, verifies, and checks the audience,
	// the lifetime and replay.
	verifier, err := token.NewVerifier("ledger")
	if err != nil {
		log.Fatal(err)
	}
	if err := verifier.Trust("billing", signKeys.Public()); err != nil {
		log.Fatal(err)
	}
	opener, err := sealjwt.NewOpener(sealKeys, verifier)
	if err != nil {
		log.Fatal(err)
	}
	msg, err := opener.Open(ctx, envelope)
	if err != nil {
		log.Fatal(err)
	}
	var got invoice
	if err := msg.Decode(&got); err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Issuer, got.Number, got.Cents)

	// The same envelope a second time is a replay.
	_, err = opener.Open(ctx, envelope)
	fmt.Println(err != nil)
	// Output:
	// billing INV-7 4200
	// true
}
