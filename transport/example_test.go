package transport_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// A receiver serves its keys and a protected handler; a sender discovers
// the keys and posts through a sealing http.Client. Both bodies travel
// encrypted; the handler and the caller see plain HTTP.
func Example() {
	ctx := context.Background()
	signKey, _ := token.GenerateKey(token.DefaultAlg)
	signKeys, _ := token.NewKeySet(signKey)
	sealKey, _ := seal.GenerateKey(seal.DefaultAlg)
	sealKeys, _ := seal.NewKeySet(sealKey)

	// Receiver.
	opener, err := sealjwt.NewOpener("ledger", sealKeys,
		sealjwt.WithTrustedSender("billing", signKeys.Public()))
	if err != nil {
		log.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, _ := transport.MessageFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "hello %s, got %s", msg.Issuer, body)
	})
	mux := http.NewServeMux()
	mux.Handle(transport.DefaultJWKSPath, transport.JWKSHandler(sealKeys.Public()))
	mux.Handle("/messages", transport.Server(opener)(hello))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Sender.
	keys, err := transport.NewKeyFetcher(ctx, srv.URL+transport.DefaultJWKSPath)
	if err != nil {
		log.Fatal(err)
	}
	defer keys.Close()
	sealer, _ := sealjwt.NewSealer(signKeys, "billing")
	client := &http.Client{Transport: transport.NewTransport(nil, sealer, "ledger", keys)}

	resp, err := client.Post(srv.URL+"/messages", "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(reply))
	// Output: 200 hello billing, got {"n":1}
}

// The shared-secret flow: an HS256 token in a "Token" header guards a
// "Hello World" endpoint. Nothing is encrypted; the token is verified with
// every safe default (typ, exp, iat, aud, iss, one use per token).
func ExampleSignedOnly() {
	secret := []byte("0123456789abcdef0123456789abcdef") // at least 32 bytes
	key, err := token.NewHMACKey(secret)
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)

	verifier, _ := token.NewVerifier("hello-service")
	_ = verifier.Trust("hello-client", keys.Public())
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "Hello World")
	})
	srv := httptest.NewServer(transport.SignedOnly(verifier)(hello))
	defer srv.Close()

	signer, _ := token.NewSigner(keys, "hello-client")
	client := &http.Client{Transport: &transport.SignedOnlyTransport{Signer: signer, Audience: "hello-service"}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	resp, _ = http.Get(srv.URL) // no token
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 Hello World
	// 401
}
