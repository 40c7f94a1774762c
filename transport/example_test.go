package transport_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

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
	verifier, _ := token.NewVerifier("ledger")
	if err := verifier.Trust("billing", signKeys.Verifying()); err != nil {
		log.Fatal(err)
	}
	opener, err := sealjwt.NewOpener(sealKeys, verifier)
	if err != nil {
		log.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, _ := transport.MessageFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "hello %s, got %s", msg.Issuer, body)
	})
	srv := httptest.NewUnstartedServer(nil) // its address is known: it answers for no other name
	mux := http.NewServeMux()
	mux.Handle(transport.DefaultJWKSPath, transport.JWKSHandler(sealKeys.Public()))
	mux.Handle("/messages", transport.Server(opener,
		transport.WithAcceptedHosts(srv.Listener.Addr().String()), // any other Host: 421
		transport.WithBodyTimeout(30*time.Second),                 // a trickled body is cut
	)(hello))
	srv.Config.Handler = mux
	srv.Config.ReadHeaderTimeout = 10 * time.Second // the envelope arrives with the headers
	srv.Config.IdleTimeout = 60 * time.Second
	srv.Start()
	defer srv.Close()

	// Sender.
	keys, err := transport.NewKeyFetcher(ctx, srv.URL+transport.DefaultJWKSPath)
	if err != nil {
		log.Fatal(err)
	}
	defer keys.Close()
	signer, _ := token.NewSigner(signKeys, "billing")
	sealer, _ := sealjwt.NewSealer(signer)
	client := &http.Client{Transport: transport.NewTransport(nil, sealer, "ledger", keys)}

	resp, err := client.Post(srv.URL+"/messages", "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	if !transport.Sealed(resp) { // an unsealed refusal: its status is advice only
		log.Fatalf("refused: %s", resp.Status)
	}
	reply, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(reply))
	// Output: 200 hello billing, got {"n":1}
}

// The Server middleware admits only sealed requests: anything else is
// refused before the handler runs, with an RFC 9457 problem.
func ExampleServer() {
	sealKey, _ := seal.GenerateKey(seal.HPKE3)
	sealKeys, _ := seal.NewKeySet(sealKey)
	verifier, _ := token.NewVerifier("ledger")
	opener, err := sealjwt.NewOpener(sealKeys, verifier)
	if err != nil {
		log.Fatal(err)
	}
	protected := transport.Server(opener,
		transport.WithAcceptedHosts("ledger.example"),
		transport.WithMaxBodySize(1<<20),
	)(http.NotFoundHandler())

	w := httptest.NewRecorder()
	protected.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://ledger.example/", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output: 401 application/problem+json
}
