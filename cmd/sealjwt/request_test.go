package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/cmd/internal/cli"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// seal --request makes what a sender in another language posts as a bare
// envelope: a transport request's kind, bound to the method and URL. A
// plain message carrying htm and htu is refused at Seal.
func TestSealRequestIsABareEnvelope(t *testing.T) {
	dir := t.TempDir()
	runIn(t, dir, "", "keygen", "--alg", "HPKE-3", "--out", "r")
	runIn(t, dir, "", "keygen", "--alg", "EdDSA", "--out", "s")
	recv, err := cli.SealKeys("r.jwk")
	if err != nil {
		t.Fatal(err)
	}
	senders, err := cli.VerifyingKeys("s.pub.jwk")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := token.NewVerifier("billing")
	if err := v.Trust("orders", senders); err != nil {
		t.Fatal(err)
	}
	o, err := sealjwt.NewOpener(recv, v)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(transport.Server(o)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "done")
	})))
	defer srv.Close()
	seal := []string{"seal", "--to", "r.pub.jwk", "--key", "s.jwk", "--iss", "orders", "--aud", "billing"}
	if code, _, _ := runIn(t, dir, "", append(seal, `{"htm":"POST","htu":"`+srv.URL+`/messages"}`)...); code == 0 {
		t.Fatal("a message with the request claims was sealed")
	}
	code, env, errs := runIn(t, dir, "", append(seal, "--request", "POST "+srv.URL+"/messages", `{"order":17}`)...)
	if code != 0 {
		t.Fatalf("seal --request: %s", errs)
	}
	resp, err := http.Post(srv.URL+"/messages", transport.BareContentType, strings.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Sealed-Response") == "" {
		t.Fatalf("bare envelope: %d, sealed response %q", resp.StatusCode, resp.Header.Get("Sealed-Response"))
	}
}
