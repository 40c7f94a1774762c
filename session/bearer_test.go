package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

var tutorialSecret = bytes.Repeat([]byte("k"), 32)

// tutorialServer is the tutorial's "Hello World" behind a Bearer that
// trusts the shared secret for issuer "tutorial-client".
func tutorialServer(t *testing.T, vopts []token.VerifierOption, opts ...BearerOption) (*httptest.Server, *token.KeySet) {
	t.Helper()
	key, err := token.NewHMACKey(tutorialSecret)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := token.NewKeySet(key)
	v, err := token.NewVerifier("hello-service", append([]token.VerifierOption{token.WithType(BearerTokenType)}, vopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Trust("tutorial-client", keys.Verifying()); err != nil {
		t.Fatal(err)
	}
	b, err := NewBearer(v, append([]BearerOption{WithTokenHeader(TokenHeader)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := ClaimsFromContext(r.Context()); !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "Hello World")
	})
	srv := httptest.NewServer(b.Middleware(hello))
	t.Cleanup(srv.Close)
	return srv, keys
}

func getWith(t *testing.T, srv *httptest.Server, header, value string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	if value != "" {
		req.Header.Set(header, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The signed-only flow: the client signs its own tokens (NewBearerTransport);
// a good token is admitted as often as it is sent until it expires, and
// anything forged, misaddressed or missing gets 401.
func TestSignedOnlyFlow(t *testing.T) {
	srv, keys := tutorialServer(t, nil)
	signer, _ := token.NewSigner(keys, "tutorial-client", token.WithType(BearerTokenType))
	for _, header := range []string{"", TokenHeader} {
		client := &http.Client{Transport: NewBearerTransport(nil, signer, "hello-service", header)}
		resp, err := client.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "Hello World" {
			t.Fatalf("header %q: %d %q", header, resp.StatusCode, body)
		}
	}
	good, _ := signer.Sign("hello-service", nil)
	for range 2 {
		if code, _ := getWith(t, srv, TokenHeader, good); code != http.StatusOK {
			t.Fatalf("a token on its second use: %d; it is reusable until it expires", code)
		}
	}
	otherKey, _ := token.NewHMACKey(bytes.Repeat([]byte("x"), 32))
	otherKeys, _ := token.NewKeySet(otherKey)
	forger, _ := token.NewSigner(otherKeys, "tutorial-client", token.WithType(BearerTokenType))
	forged, _ := forger.Sign("hello-service", nil)
	wrongAud, _ := signer.Sign("another-service", nil)
	for name, tok := range map[string]string{"missing": "", "garbage": "abc", "wrong secret": forged,
		"wrong audience": wrongAud, "tutorial token without the option": tutorialToken(t, time.Now().Add(time.Minute))} {
		if code, _ := getWith(t, srv, TokenHeader, tok); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
}

// tutorialToken is made exactly as the tutorial's client makes it, with
// golang-jwt: HS256, typ "JWT", claims authorized, client and exp.
func tutorialToken(t *testing.T, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"authorized": true, "client": "Krissanawat", "exp": exp.Unix(),
	})
	s, err := tok.SignedString(tutorialSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// With token.WithTutorialCompat, the tutorial's own tokens are admitted
// (reusably), in the Token header or as a Bearer token; expired or forged
// ones are not.
func TestTutorialTokensWithCompat(t *testing.T) {
	srv, _ := tutorialServer(t, []token.VerifierOption{token.WithTutorialCompat()})
	tok := tutorialToken(t, time.Now().Add(5*time.Minute))
	for range 2 {
		if code, body := getWith(t, srv, TokenHeader, tok); code != http.StatusOK || body != "Hello World" {
			t.Fatalf("tutorial token: %d %q", code, body)
		}
	}
	if code, _ := getWith(t, srv, "Authorization", "Bearer "+tok); code != http.StatusOK {
		t.Fatalf("tutorial token as Bearer: %d", code)
	}
	expired := tutorialToken(t, time.Now().Add(-time.Minute))
	forged := flipAt(tok, strings.LastIndex(tok, ".")+2)
	for name, bad := range map[string]string{"expired": expired, "forged": forged} {
		if code, _ := getWith(t, srv, TokenHeader, bad); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
}

// WithSingleUse restores one use per token: a replay gets 401, and a
// replay store that cannot answer gives 503.
func TestSingleUseReplayRefused(t *testing.T) {
	srv, keys := tutorialServer(t, nil, WithSingleUse(nil))
	signer, _ := token.NewSigner(keys, "tutorial-client", token.WithType(BearerTokenType))
	tok, _ := signer.Sign("hello-service", nil)
	if code, _ := getWith(t, srv, TokenHeader, tok); code != http.StatusOK {
		t.Fatalf("first use: %d", code)
	}
	if code, _ := getWith(t, srv, TokenHeader, tok); code != http.StatusUnauthorized {
		t.Fatalf("replay: %d, want 401", code)
	}
	down, _ := tutorialServer(t, nil, WithSingleUse(replay.NewMemory(replay.WithCapacity(1))))
	first, _ := signer.Sign("hello-service", nil)
	second, _ := signer.Sign("hello-service", nil)
	getWith(t, down, TokenHeader, first)
	if code, _ := getWith(t, down, TokenHeader, second); code != http.StatusServiceUnavailable {
		t.Fatalf("full replay store: %d, want 503", code)
	}

	m := newManager(t, newClock(), WithSingleUse(nil))
	tokens, _ := m.Login(context.Background(), Grant{Subject: "alice"})
	if _, err := m.Authenticate(context.Background(), tokens.Access); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Authenticate(context.Background(), tokens.Access); !errors.Is(err, sealjwt.ErrReplayed) {
		t.Fatalf("Manager access token replayed: %v, want ErrReplayed", err)
	}
}

// An option out of its bounds is ErrConfig, and the message names the
// option, its bounds and the value found, so that a misconfiguration is
// fixed from the error alone.
func TestNewManagerNamesTheOptionOutOfBounds(t *testing.T) {
	for _, c := range []struct {
		opt  ManagerOption
		want string
	}{
		{WithAccessTokenLifetime(30 * time.Second), "WithAccessTokenLifetime must be 1m0s to 1h0m0s, got 30s"},
		{WithAccessTokenLifetime(2 * time.Hour), "WithAccessTokenLifetime must be 1m0s to 1h0m0s, got 2h0m0s"},
		{WithGrace(2 * time.Minute), "WithGrace must be 0 to 1m0s, got 2m0s"},
		{WithSameSite(http.SameSiteNoneMode), "WithSameSite must be http.SameSiteStrictMode or http.SameSiteLaxMode, got 4"},
		{WithIdleTimeout(31 * 24 * time.Hour), "WithIdleTimeout must be more than 0 and at most the session lifetime 720h0m0s, got 744h0m0s"},
		{WithRefreshPath("auth"), `WithRefreshPath must start with /, got "auth"`},
		{WithStoreTimeout(time.Minute), "WithStoreTimeout must be more than 0 and at most 30s, got 1m0s"},
		{WithTokenHeader("authorization"), `WithTokenHeader must not name Authorization, which is always read as Bearer, got "Authorization"`},
	} {
		_, err := NewManager(apiID, signingKeys(t), c.opt)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want ErrConfig saying %q", err, c.want)
		}
	}
}

// Access tokens sealed to the API's own key: the client holds an envelope
// it cannot read, claims included; the API authenticates it as usual, and
// a tampered one is refused.
func TestSealedAccessTokenUnreadable(t *testing.T) {
	priv, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		t.Fatal(err)
	}
	own, _ := seal.NewKeySet(priv)
	m := newManager(t, newClock(), WithSealing(own))
	tokens, err := m.Login(context.Background(), Grant{Subject: "alice", Scopes: []string{"read"}, Claims: map[string]string{"tenant": "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens.Access) > 4000 {
		t.Fatalf("sealed access token of %d bytes does not fit a cookie", len(tokens.Access))
	}
	if n := strings.Count(tokens.Access, "."); n != 4 {
		t.Fatalf("sealed access token has %d dots, want a compact JWE", n)
	}
	for _, secret := range []string{"alice", "acme", "YWxpY2", "YWNtZ"} {
		if strings.Contains(tokens.Access, secret) {
			t.Fatalf("sealed access token shows %q", secret)
		}
	}
	c, err := m.Authenticate(context.Background(), tokens.Access)
	if err != nil || c.Subject != "alice" || !c.HasScope("read") || c.SessionID == "" {
		t.Fatalf("sealed token: %+v %v", c, err)
	}
	big := Grant{Subject: strings.Repeat("s", 64), Claims: map[string]string{"x": strings.Repeat("a", maxClaimsSize-10)}}
	if _, err := m.Login(context.Background(), big); !errors.Is(err, token.ErrClaims) {
		t.Fatalf("a sealed token too large for a cookie: %v, want ErrClaims", err)
	}
	var app struct{ Tenant string }
	if err := c.Decode(&app); err != nil || app.Tenant != "acme" {
		t.Fatalf("application claims %+v %v", app, err)
	}
	if _, err := m.Authenticate(context.Background(), tokens.Access); err != nil {
		t.Fatalf("second use of a sealed token: %v", err)
	}
	i := strings.LastIndex(tokens.Access, ".") - 3
	tampered := flipAt(tokens.Access, i)
	if _, err := m.Authenticate(context.Background(), tampered); err == nil {
		t.Fatal("tampered sealed token accepted")
	}
}

// Access tokens: 15 minutes by default, typ at+jwt, the grant's subject,
// scopes and claims, and the session id; the application cannot override
// what the Manager sets.
func TestAccessTokenClaims(t *testing.T) {
	clk := newClock()
	m := newManager(t, clk)
	ctx := context.Background()
	tokens, err := m.Login(ctx, Grant{Subject: "alice", Scopes: []string{"read", "write"}, Claims: map[string]any{"tenant": "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Authenticate(ctx, tokens.Access)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExpiresAt.Sub(c.IssuedAt) != DefaultAccessTokenLifetime || !c.ExpiresAt.Equal(tokens.AccessExpiresAt) ||
		c.Subject != "alice" || !c.HasScope("write") || c.HasScope("admin") || c.Issuer != apiID {
		t.Fatalf("claims %+v", c)
	}
	for _, bad := range []any{map[string]any{"sid": "x"}, map[string]any{"scope": "admin"}, map[string]any{"sub": "bob"},
		map[string]any{"exp": 1}, []int{1}, map[string]string{"big": strings.Repeat("a", maxClaimsSize)}} {
		if _, err := m.Login(ctx, Grant{Subject: "alice", Claims: bad}); err == nil {
			t.Errorf("claims %v accepted", bad)
		}
	}
	clk.Advance(DefaultAccessTokenLifetime + token.DefaultLeeway + time.Second)
	if _, err := m.Authenticate(ctx, tokens.Access); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("after its lifetime: %v, want ErrExpired", err)
	}
}

// Revoke-all for a subject ends each of its sessions, and only its own.
func TestRevokeSubject(t *testing.T) {
	m := newManager(t, newClock())
	ctx := context.Background()
	a1, _ := m.Login(ctx, Grant{Subject: "alice"})
	a2, _ := m.Login(ctx, Grant{Subject: "alice"})
	b1, _ := m.Login(ctx, Grant{Subject: "bob"})
	if err := m.RevokeSubject(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a1.Refresh, a2.Refresh} {
		if _, err := m.Refresh(ctx, tok); !errors.Is(err, ErrRevoked) {
			t.Errorf("alice's session after revoke-all: %v, want ErrRevoked", err)
		}
	}
	if _, err := m.Refresh(ctx, b1.Refresh); err != nil {
		t.Errorf("bob's session: %v", err)
	}
}

// The access lifetime is configurable from 1 minute to 1 hour, and the
// token and its cookie say the same.
func TestAccessLifetimeBounds(t *testing.T) {
	for _, d := range []time.Duration{minAccessTokenLifetime, 37 * time.Minute, MaxAccessTokenLifetime} {
		m := newManager(t, newClock(), WithAccessTokenLifetime(d))
		tokens, err := m.Login(context.Background(), Grant{Subject: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := m.Authenticate(context.Background(), tokens.Access)
		if err != nil || c.ExpiresAt.Sub(c.IssuedAt) != d {
			t.Fatalf("lifetime %v: %+v %v", d, c, err)
		}
		w := newRecorder(m.LoginHandler(func(*http.Request) (Grant, error) { return Grant{Subject: "a"}, nil }),
			http.MethodPost, "https://api.example/auth/login")
		resp := http.Response{Header: w.Header()}
		if ck := cookie(&resp, AccessCookie); ck == nil || ck.MaxAge != int(d/time.Second) {
			t.Fatalf("lifetime %v: access cookie %v", d, ck)
		}
	}
}

// A BearerTransport without a signer refuses to send, with ErrConfig,
// rather than sending the request without a token.
func TestBearerTransportWithoutSignerRefuses(t *testing.T) {
	sent := false
	base := roundTripperFunc(func(*http.Request) (*http.Response, error) { sent = true; return nil, errors.New("sent") })
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/", nil)
	if _, err := NewBearerTransport(base, nil, "hello-service", "").RoundTrip(req); !errors.Is(err, ErrConfig) || sent {
		t.Fatalf("RoundTrip without a signer: %v (sent: %v), want ErrConfig", err, sent)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
