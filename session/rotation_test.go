package session

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// A refresh retried within the grace window (its response was lost) gets
// the very successor the first use created: one live token per family,
// never a second branch.
func TestGraceRetryGetsTheSameSuccessor(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	m := newManager(t, clk)
	first, err := m.Login(ctx, Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	lost, err := m.Refresh(ctx, first.Refresh)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		clk.Advance(time.Second)
		retry, err := m.Refresh(ctx, first.Refresh)
		if err != nil {
			t.Fatalf("retry %d within the grace window: %v", i+1, err)
		}
		if retry.Refresh != lost.Refresh {
			t.Fatalf("retry %d got another refresh token than the first use: a second branch of the family", i+1)
		}
	}
	next, err := m.Refresh(ctx, lost.Refresh)
	if err != nil {
		t.Fatalf("the one successor: %v", err)
	}
	clk.Advance(defaultGrace)
	if _, err := m.Refresh(ctx, lost.Refresh); !errors.Is(err, ErrReuse) {
		t.Fatalf("the successor presented again after the window: %v, want ErrReuse", err)
	}
	if _, err := m.Refresh(ctx, next.Refresh); !errors.Is(err, ErrRevoked) {
		t.Fatalf("after the reuse: %v, want ErrRevoked", err)
	}
}

// TestOneAccountLocksEveryoneOut is the finding on the memory store: one
// logged-in account refreshing in a loop, then logging in again and again,
// filled a store of 2,000 tokens so that every other user's login got
// 503. Consumed tokens no longer count against the capacity, and one
// subject holds a bounded number of sessions.
func TestOneAccountLocksEveryoneOut(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	m := newManager(t, clk, WithStore(NewMemory(WithCapacity(2000))))
	tok, err := m.Login(ctx, Grant{Subject: "mallory"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1998 {
		if tok, err = m.Refresh(ctx, tok.Refresh); err != nil {
			t.Fatalf("mallory's refresh %d: %v", i+1, err)
		}
	}
	for i := range 2000 {
		if _, err := m.Login(ctx, Grant{Subject: "mallory"}); err != nil {
			t.Fatalf("mallory's login %d: %v", i+1, err)
		}
	}
	a := newApp(t, m)
	resp := a.post(t, a.srv.Client(), "/auth/login", url.Values{"user": {"alice"}})
	wantStatus(t, resp, http.StatusOK)
}

// hanging is a store whose backend never answers and whose client
// ignores the context, as a paused server behind a retrying client.
type hanging struct{ Store }

func (hanging) Rotate(context.Context, Rotation) (Rotated, error) {
	time.Sleep(time.Minute)
	return Rotated{}, errors.New("unreachable")
}

// TestFaultStoreHangs503WithinTimeout: a store call that does not return
// is cut at the store timeout, and the endpoint answers 503 with
// Retry-After, whatever the store's client does.
func TestFaultStoreHangs503WithinTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	m := newManager(t, newClock(), WithStore(hanging{NewMemory()}), WithStoreTimeout(timeout))
	a := newApp(t, m)
	tok, _ := newRefresh("")
	start := time.Now()
	resp := a.post(t, a.srv.Client(), DefaultRefreshPath, nil, "Cookie", RefreshCookie+"="+tok)
	elapsed := time.Since(start)
	problemOf(t, resp, http.StatusServiceUnavailable)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if elapsed > timeout+time.Second {
		t.Errorf("503 after %v, want about the store timeout %v", elapsed, timeout)
	}
}

// deadlineSpy records the deadline each rotation carries.
type deadlineSpy struct {
	Store
	got time.Time
}

func (s *deadlineSpy) Rotate(ctx context.Context, r Rotation) (Rotated, error) {
	s.got = r.Deadline
	if d, ok := ctx.Deadline(); !ok || !d.Add(-3*time.Second/4).Equal(r.Deadline) {
		return Rotated{}, errors.New("the rotation's deadline is not a quarter of the timeout before its context's")
	}
	return s.Store.Rotate(ctx, r)
}

// Every rotation tells the store when its caller stops waiting, so that a
// command delivered late commits nothing.
func TestRotationCarriesItsDeadline(t *testing.T) {
	spy := &deadlineSpy{Store: NewMemory()}
	m := newManager(t, newClock(), WithStore(spy), WithStoreTimeout(3*time.Second))
	tok, err := m.Login(context.Background(), Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if _, err := m.Refresh(context.Background(), tok.Refresh); err != nil {
		t.Fatal(err)
	}
	if left := spy.got.Sub(before); left < 2*time.Second || left > 2250*time.Millisecond+100*time.Millisecond {
		t.Fatalf("deadline %v after the call, want three quarters of the store timeout of 3s", left)
	}
}
