package session_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// An API with sessions: the application decides logins, the Manager does
// the rest. Here an API client logs in asking for JSON and gets an RFC 6749
// token response; a browser's login would get cookies (the default
// delivery chooses per request).
func ExampleNewManager() {
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	m, err := session.NewManager("https://api.example", keys)
	if err != nil {
		log.Fatal(err)
	}
	authenticate := func(r *http.Request) (session.Grant, error) {
		if r.FormValue("user") != "alice" || r.FormValue("password") != "correct horse" {
			return session.Grant{}, fmt.Errorf("bad credentials")
		}
		return session.Grant{Subject: "alice", Scopes: []string{"read"}}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("POST /auth/login", m.LoginHandler(authenticate))
	mux.Handle("POST "+session.DefaultRefreshPath, m.RefreshHandler())
	mux.Handle("POST "+session.DefaultRefreshPath+"/logout", m.LogoutHandler())
	mux.Handle("/api/", m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := session.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Subject)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/auth/login",
		strings.NewReader(url.Values{"user": {"alice"}, "password": {"correct horse"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	var tokens struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tokens)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, tokens.TokenType, tokens.ExpiresIn)

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 200 Bearer 900
	// 200 hello alice
}

// The signed-only flow: clients sign their own tokens with a shared
// secret, as in the classic tutorial, and send them in a "Token" header.
// Each token is verified with every safe default and is reusable until it
// expires (five minutes, as signed here).
func ExampleNewBearer() {
	secret := []byte("0123456789abcdef0123456789abcdef") // at least 32 bytes

	// The service: a verifier that trusts the secret for the client.
	verifier, _ := token.NewVerifier("hello-service", token.WithType(session.BearerTokenType))
	trusted, err := token.NewHMACVerifyingKeySet(secret)
	if err != nil {
		log.Fatal(err)
	}
	if err := verifier.Trust("hello-client", trusted); err != nil {
		log.Fatal(err)
	}
	bearer, err := session.NewBearer(verifier, session.WithTokenHeader(session.TokenHeader))
	if err != nil {
		log.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Hello World") })
	srv := httptest.NewServer(bearer.Middleware(hello))
	defer srv.Close()

	// The client: a signer holding the same secret.
	key, _ := token.NewHMACKey(secret)
	keys, _ := token.NewKeySet(key)
	signer, _ := token.NewSigner(keys, "hello-client")
	client := &http.Client{Transport: session.NewBearerTransport(nil, signer, "hello-service", session.TokenHeader)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	resp, _ = http.Get(srv.URL) // no token
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	// Output:
	// 200 Hello World
	// 401 Bearer
}
