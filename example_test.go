package sealjwt_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
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
	if err := verifier.Trust("billing", signKeys.Verifying()); err != nil {
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

// A Sealer wraps a token.Signer: the signer says who the sender is and how
// long its messages live; the Sealer adds the sealing.
func ExampleNewSealer() {
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)
	signer, err := token.NewSigner(signKeys, "billing", token.WithLifetime(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	sealer, err := sealjwt.NewSealer(signer)
	if err != nil {
		log.Fatal(err)
	}

	sealKey, _ := seal.GenerateKey(seal.HPKE3)
	envelope, err := sealer.Seal(context.Background(), sealKey.Public(), "ledger", map[string]int{"cents": 4200})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Count(envelope, "."))
	// Output: 4
}

// An Opener wraps the receiver's sealing keys and a token.Verifier: the
// verifier holds the receiver's id, its time policy and the senders it
// trusts; the Opener adds the opening and the replay store.
func ExampleNewOpener() {
	sealKey, _ := seal.GenerateKey(seal.HPKE3)
	sealKeys, _ := seal.NewKeySet(sealKey)
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)

	verifier, err := token.NewVerifier("ledger", token.WithLeeway(10*time.Second), token.WithMaxLifetime(10*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	if err := verifier.Trust("billing", signKeys.Verifying()); err != nil {
		log.Fatal(err)
	}
	// A fleet of receivers shares one store instead (replay/redisstore).
	opener, err := sealjwt.NewOpener(sealKeys, verifier, sealjwt.WithReplayStore(replay.NewMemory()))
	if err != nil {
		log.Fatal(err)
	}

	signer, _ := token.NewSigner(signKeys, "billing")
	sealer, _ := sealjwt.NewSealer(signer)
	envelope, _ := sealer.Seal(context.Background(), sealKey.Public(), "ledger", nil)
	msg, err := opener.Open(context.Background(), envelope)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg.Issuer, msg.Envelope.Alg)
	// Output: billing HPKE-3
}

// An ObserverFunc counts what an Opener accepts and refuses, and why,
// without the library depending on any metrics system.
func ExampleObserverFunc() {
	sealKey, _ := seal.GenerateKey(seal.HPKE3)
	sealKeys, _ := seal.NewKeySet(sealKey)
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)
	verifier, _ := token.NewVerifier("ledger")
	if err := verifier.Trust("billing", signKeys.Verifying()); err != nil {
		log.Fatal(err)
	}
	observe := sealjwt.ObserverFunc(func(_ context.Context, e sealjwt.Event) {
		fmt.Println(e.Kind, e.Outcome, e.Reason, e.Issuer)
	})
	opener, _ := sealjwt.NewOpener(sealKeys, verifier, sealjwt.WithObserver(observe))

	signer, _ := token.NewSigner(signKeys, "billing")
	sealer, _ := sealjwt.NewSealer(signer)
	envelope, _ := sealer.Seal(context.Background(), sealKey.Public(), "ledger", nil)
	_, _ = opener.Open(context.Background(), envelope)
	_, _ = opener.Open(context.Background(), envelope)
	// Output:
	// open accepted  billing
	// open refused replay billing
}
