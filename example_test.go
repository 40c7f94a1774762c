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

	// Sender: sign, then seal to the receiver's public key.
	sealer, err := sealjwt.NewSealer(signKeys, "billing")
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

	// Receiver: open, verify, check audience, lifetime and replay.
	opener, err := sealjwt.NewOpener("ledger", sealKeys,
		sealjwt.WithTrustedSender("billing", signKeys.Public()))
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
