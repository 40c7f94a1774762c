package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// nopWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the middleware and not a recorder.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

// benchAccess logs in once and returns the Manager and its access token.
func benchAccess(b *testing.B, opts ...ManagerOption) (*Manager, string) {
	m, err := NewManager(apiID, signingKeys(b), opts...)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 { // a realistic revoked set for WithImmediateRevocation
		t, err := m.Login(context.Background(), Grant{Subject: fmt.Sprint("user", i)})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Logout(context.Background(), t.Refresh); err != nil {
			b.Fatal(err)
		}
	}
	tokens, err := m.Login(context.Background(), Grant{Subject: "alice", Scopes: []string{"read", "write"},
		Claims: map[string]string{"tenant": "acme"}})
	if err != nil {
		b.Fatal(err)
	}
	return m, tokens.Access
}

// BenchmarkAuthenticate is one API request admitted by the Manager's
// middleware with an access token in Authorization: Bearer: finding the
// token, verifying it, reading scope and sid, and putting the claims in
// the request context. Compare token=signed with BenchmarkFloorVerify,
// and token=signed,revocation=immediate (the revoked-session check of
// WithImmediateRevocation, on a store with 1,000 revoked families) with
// token=signed.
func BenchmarkAuthenticate(b *testing.B) {
	priv, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		b.Fatal(err)
	}
	own, _ := seal.NewKeySet(priv)
	for _, tc := range []struct {
		name string
		opts []ManagerOption
	}{
		{"token=signed", nil},
		{"token=signed,revocation=immediate", []ManagerOption{WithImmediateRevocation()}},
		{"token=sealed", []ManagerOption{WithSealing(own)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, access := benchAccess(b, tc.opts...)
			b.Cleanup(func() { _ = m.Close() })
			admitted := 0
			h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { admitted++ }))
			req := httptest.NewRequest(http.MethodGet, "https://api.example/api/me", nil)
			req.Header.Set("Authorization", "Bearer "+access)
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
			if admitted == 0 {
				b.Fatal("nothing admitted")
			}
		})
	}
}

// BenchmarkFloorVerify is the token verifier alone, configured as the
// Manager's, on the same access token.
func BenchmarkFloorVerify(b *testing.B) {
	_, access := benchAccess(b)
	v, err := token.NewVerifier(apiID, token.WithType(AccessTokenType), token.WithMaxLifetime(DefaultAccessTokenLifetime))
	if err != nil {
		b.Fatal(err)
	}
	if err := v.Trust(apiID, signingKeys(b).Verifying()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(access); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRevocationCheck is what WithImmediateRevocation adds to each
// request: the revoked-session lookup in the Manager's copy, here holding
// 1,000 revoked families. Compare with BenchmarkAuthenticate/token=signed.
func BenchmarkRevocationCheck(b *testing.B) {
	m, access := benchAccess(b, WithImmediateRevocation())
	b.Cleanup(func() { _ = m.Close() })
	claims, err := m.Authenticate(context.Background(), access)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.revoc.check(claims.SessionID); err != nil {
			b.Fatal(err)
		}
	}
}
