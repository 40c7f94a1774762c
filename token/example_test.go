package token_test

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/sealjwt/sealjwt/token"
)

func ExampleGenerateKey() {
	key, err := token.GenerateKey(token.DefaultAlg)
	if err != nil {
		log.Fatal(err)
	}
	pub, err := key.Verifying().MarshalJSON() // publish this; keep key.MarshalJSON() secret
	if err != nil {
		log.Fatal(err)
	}
	back, err := token.ParseVerifyingJWK(pub)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key.Alg(), len(key.KID()), back.KID() == key.KID())
	// Output: EdDSA 43 true
}

func ExampleNewSigner() {
	key, _ := token.GenerateKey(token.EdDSA)
	keys, _ := token.NewKeySet(key)
	signer, err := token.NewSigner(keys, "https://orders.example")
	if err != nil {
		log.Fatal(err)
	}
	type order struct {
		Subject string `json:"sub"`
		Item    string `json:"item"`
	}
	tok, err := signer.Sign("https://billing.example", order{Subject: "customer-42", Item: "book"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tok) > 0)
	// Output: true
}

func ExampleNewVerifier() {
	key, _ := token.GenerateKey(token.EdDSA)
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, "https://orders.example")
	tok, _ := signer.Sign("https://billing.example", map[string]any{"sub": "customer-42", "item": "book"})

	// The receiver trusts the sender's public keys for that sender only.
	verifier, err := token.NewVerifier("https://billing.example")
	if err != nil {
		log.Fatal(err)
	}
	if err := verifier.Trust("https://orders.example", keys.Verifying()); err != nil {
		log.Fatal(err)
	}
	got, err := verifier.Verify(tok)
	if err != nil {
		log.Fatal(err)
	}
	var claims struct {
		Item string `json:"item"`
	}
	if err := got.Decode(&claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Issuer, got.Subject, claims.Item)

	// A token for someone else is refused with a sentinel error.
	other, _ := signer.Sign("https://shipping.example", nil)
	_, err = verifier.Verify(other)
	fmt.Println(errors.Is(err, token.ErrAudience))
	// Output:
	// https://orders.example customer-42 book
	// true
}

// Example_sharedSecret is the HS256 flow: both sides hold the same secret
// of at least 32 bytes, and tokens carry the plain "JWT" type.
func Example_sharedSecret() {
	secret := []byte("0123456789abcdef0123456789abcdef") // load from a secret store
	key, err := token.NewHMACKey(secret)
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, "sender", token.WithType("JWT"), token.WithLifetime(time.Minute))
	tok, _ := signer.Sign("receiver", map[string]any{"sub": "job-7"})

	verifier, _ := token.NewVerifier("receiver", token.WithType("JWT"))
	_ = verifier.Trust("sender", keys.Verifying())
	got, err := verifier.Verify(tok)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Alg, got.Subject)

	_, err = token.NewHMACKey([]byte("too short"))
	fmt.Println(errors.Is(err, token.ErrInvalidKey))
	// Output:
	// HS256 job-7
	// true
}
