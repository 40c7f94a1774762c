package transport

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sealjwt/sealjwt/token"
)

// The classic tutorial flow: an HS256 shared secret, a token in a "Token"
// header, a protected "Hello World".
func TestSignedOnlyTutorialFlow(t *testing.T) {
	secret := bytes.Repeat([]byte("k"), 32)
	key, err := token.NewHMACKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	v, err := token.NewVerifier("hello-service")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust("tutorial-client", keys.Public()); err != nil {
		t.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := VerifiedFromContext(r.Context()); !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "Hello World")
	})
	srv := httptest.NewServer(SignedOnly(v)(hello))
	defer srv.Close()

	signer, _ := token.NewSigner(keys, "tutorial-client")
	good := &http.Client{Transport: &SignedOnlyTransport{Signer: signer, Audience: "hello-service"}}
	resp, err := good.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || body != "Hello World" {
		t.Fatalf("good token: %d %q", resp.StatusCode, body)
	}

	otherKey, _ := token.NewHMACKey(bytes.Repeat([]byte("x"), 32))
	otherKeys, _ := token.NewKeySet(otherKey)
	forger, _ := token.NewSigner(otherKeys, "tutorial-client")
	forged, _ := forger.Sign([]string{"hello-service"}, nil)
	wrongAud, _ := signer.Sign([]string{"another-service"}, nil)
	replayed, _ := signer.Sign([]string{"hello-service"}, nil)
	for name, tok := range map[string]string{"missing": "", "garbage": "abc", "wrong secret": forged, "wrong audience": wrongAud, "replayed": replayed} {
		t.Run(name, func(t *testing.T) {
			if name == "replayed" {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
				req.Header.Set(DefaultTokenHeader, tok)
				first, err := http.DefaultClient.Do(req)
				if err != nil || first.StatusCode != http.StatusOK {
					t.Fatalf("first use: %v", err)
				}
				first.Body.Close()
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
			if tok != "" {
				req.Header.Set(DefaultTokenHeader, tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			problemOf(t, resp, http.StatusUnauthorized)
		})
	}
}
