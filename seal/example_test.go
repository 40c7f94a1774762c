package seal_test

import (
	"fmt"

	"github.com/sealjwt/sealjwt/seal"
)

func ExampleGenerateKey() {
	key, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		panic(err)
	}
	// Publish the public half; keep the private key in a key set.
	fmt.Println(key.Alg(), len(key.KID()))
	// Output: HPKE-9 43
}

func ExampleSeal() {
	key, _ := seal.GenerateKey(seal.HPKE3)
	envelope, err := seal.Seal(key.Public(), []byte("hello"), seal.WithContentType("JWT"))
	if err != nil {
		panic(err)
	}
	// Five base64url segments; IV and tag are empty in integrated mode.
	fmt.Println(len(envelope) > 0)
	// Output: true
}

func ExampleOpen() {
	key, _ := seal.GenerateKey(seal.HPKE9)
	keys, _ := seal.NewKeySet(key)

	envelope, _ := seal.Seal(keys.Public().Primary(), []byte("hello"))

	opened, err := seal.Open(keys, envelope)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(opened.Plaintext), opened.Header.Alg)
	// Output: hello HPKE-9
}

func ExampleSealContext() {
	key, _ := seal.GenerateKey(seal.HPKE3)
	keys, _ := seal.NewKeySet(key)

	envelope, sender, _ := seal.SealContext(key.Public(), []byte("request"))
	opened, _ := seal.Open(keys, envelope)

	// Both sides derive the same secret from the envelope's HPKE context.
	a, _ := sender.Export("request body", 32)
	b, _ := opened.Context.Export("request body", 32)
	fmt.Println(string(a) == string(b))
	// Output: true
}
