package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
)

// RevocationBound is the longest a revocation on one server may take to
// stop an access token on another, with WithImmediateRevocation.
const RevocationBound = time.Second

// ImmediateRevocation runs two Managers with WithImmediateRevocation, one
// on a and one on b (two instances on one backend, as two servers), and
// checks that a logout, a reuse and a RevokeSubject on one stop the access
// tokens on the other within RevocationBound. It returns the slowest
// propagation seen.
func ImmediateRevocation(t *testing.T, a, b session.Store) time.Duration {
	t.Helper()
	key, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	newManager := func(s session.Store) *session.Manager {
		m, err := session.NewManager("https://api.example", keys, session.WithStore(s), session.WithImmediateRevocation(), session.WithGrace(0))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = m.Close() })
		return m
	}
	ma, mb := newManager(a), newManager(b)
	ctx := context.Background()
	var slowest time.Duration
	for _, tc := range []struct {
		name   string
		revoke func(t *testing.T, tokens *session.Tokens, subject string)
	}{
		{"Logout", func(t *testing.T, tokens *session.Tokens, _ string) {
			if err := ma.Logout(ctx, tokens.Refresh); err != nil {
				t.Fatal(err)
			}
		}},
		{"Reuse", func(t *testing.T, tokens *session.Tokens, _ string) {
			if _, err := ma.Refresh(ctx, tokens.Refresh); err != nil {
				t.Fatal(err)
			}
			if _, err := ma.Refresh(ctx, tokens.Refresh); !errors.Is(err, session.ErrReuse) {
				t.Fatalf("second use: %v, want ErrReuse", err)
			}
		}},
		{"RevokeSubject", func(t *testing.T, _ *session.Tokens, subject string) {
			if err := ma.RevokeSubject(ctx, subject); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subject := "alice-" + randomID()
			tokens, err := ma.Login(ctx, session.Grant{Subject: subject})
			if err != nil {
				t.Fatal(err)
			}
			other, err := ma.Login(ctx, session.Grant{Subject: "bob-" + randomID()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mb.Authenticate(ctx, tokens.Access); err != nil {
				t.Fatalf("before the revocation, the other server: %v", err)
			}
			start := time.Now()
			tc.revoke(t, tokens, subject)
			took := waitRefused(t, mb, tokens.Access, start)
			slowest = max(slowest, took)
			t.Logf("refused on the other server %v after the revocation began", took)
			if _, err := mb.Authenticate(ctx, other.Access); err != nil {
				t.Fatalf("another session after the revocation: %v", err)
			}
		})
	}
	return slowest
}

// waitRefused polls m until it refuses access as revoked, failing the
// test past RevocationBound, and returns how long it took from start.
func waitRefused(t *testing.T, m *session.Manager, access string, start time.Time) time.Duration {
	t.Helper()
	for {
		_, err := m.Authenticate(context.Background(), access)
		if errors.Is(err, session.ErrRevoked) {
			return time.Since(start)
		}
		if err != nil {
			t.Fatalf("waiting for the revocation: %v, want ErrRevoked", err)
		}
		if time.Since(start) > RevocationBound {
			t.Fatalf("the access token still admitted %v after its revocation, want refused within %v", time.Since(start), RevocationBound)
		}
		time.Sleep(time.Millisecond)
	}
}
