package session

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// lostCommit is a Memory store whose first rotation commits but answers
// ErrStoreUnavailable, as a rotation whose connection broke after the
// commit does, and whose take-backs fail until takeBackFails of them
// have: a stopped server, and then one busy serving the connections that
// waited for it.
type lostCommit struct {
	*Memory
	rotated, takeBackFails, takeBacks, takenBack atomic.Int32
}

func (s *lostCommit) Rotate(ctx context.Context, r Rotation) (Rotated, error) {
	rot, err := s.Memory.Rotate(ctx, r)
	if s.rotated.Add(1) == 1 {
		return Rotated{}, ErrStoreUnavailable
	}
	return rot, err
}

func (s *lostCommit) Abandon(ctx context.Context, r Rotation) error {
	if s.takeBacks.Add(1) <= s.takeBackFails.Load() {
		return ErrStoreUnavailable
	}
	s.takenBack.Add(1)
	return s.Memory.Abandon(ctx, r)
}

// TestFaultTakeBackOutlastsAStoreAwayForSeveralTimeouts: without a grace
// window, a rotation that committed unanswered is taken back in the
// background even when the store refuses the first take-backs for five
// store timeouts (a PostgreSQL server stopped for three seconds and busy
// for one more after it resumed: three tries were not enough), so the
// client's retry is a first use, not a reuse.
func TestFaultTakeBackOutlastsAStoreAwayForSeveralTimeouts(t *testing.T) {
	store := &lostCommit{Memory: NewMemory()}
	store.takeBackFails.Store(5)
	const timeout = 20 * time.Millisecond
	m := newManager(t, newClock(), WithStore(store), WithGrace(0), WithStoreTimeout(timeout))
	login, err := m.Login(context.Background(), Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(context.Background(), login.Refresh); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("the rotation whose answer was lost: %v, want ErrStoreUnavailable", err)
	}
	for end := time.Now().Add(100 * timeout); store.takenBack.Load() == 0; time.Sleep(timeout) {
		if time.Now().After(end) {
			t.Fatalf("not taken back after %d tries", store.takeBacks.Load())
		}
	}
	if _, err := m.Refresh(context.Background(), login.Refresh); err != nil {
		t.Fatalf("the client's retry after the take-back: %v, want a successor", err)
	}
}

// driverTimeout is a Memory store whose first rotation commits and
// answers ErrStoreUnavailable wrapping context.DeadlineExceeded, as pgx
// answers when its own timeout, or the caller's deadline, passes while it
// waits for the commit's answer.
type driverTimeout struct {
	*Memory
	rotated, takenBack atomic.Int32
}

func (s *driverTimeout) Rotate(ctx context.Context, r Rotation) (Rotated, error) {
	rot, err := s.Memory.Rotate(ctx, r)
	if s.rotated.Add(1) == 1 && err == nil {
		return Rotated{}, fmt.Errorf("%w: postgres: timeout: %w", ErrStoreUnavailable, context.DeadlineExceeded)
	}
	return rot, err
}

func (s *driverTimeout) Abandon(ctx context.Context, r Rotation) error {
	s.takenBack.Add(1)
	return s.Memory.Abandon(ctx, r)
}

// TestFaultTakeBackAfterTheDriversOwnTimeout: a store answering in time
// with an error that wraps context.DeadlineExceeded has its rotation
// taken back as any other unavailable answer: it is not the Manager
// giving up, whose late answer is taken back when it comes. Without a
// grace window, the client's retry is then a first use, not a reuse.
func TestFaultTakeBackAfterTheDriversOwnTimeout(t *testing.T) {
	store := &driverTimeout{Memory: NewMemory()}
	m := newManager(t, newClock(), WithStore(store), WithGrace(0))
	login, err := m.Login(context.Background(), Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(context.Background(), login.Refresh); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("the rotation whose answer timed out: %v, want ErrStoreUnavailable", err)
	}
	if store.takenBack.Load() == 0 {
		t.Fatal("the rotation was not taken back")
	}
	if _, err := m.Refresh(context.Background(), login.Refresh); err != nil {
		t.Fatalf("the client's retry: %v, want a successor", err)
	}
}

// TestFaultRetryWhileTakeBackPendingIsNotAReuse: without a grace window, a
// client retries at once while the take-back of its rotation that
// committed unanswered is still failing (the store is busy catching up).
// The Manager answers it 503 without reaching the store, instead of
// letting it race the take-back and lose as a reuse; once the take-back
// landed, the retry is a first use.
func TestFaultRetryWhileTakeBackPendingIsNotAReuse(t *testing.T) {
	store := &lostCommit{Memory: NewMemory()}
	store.takeBackFails.Store(3)
	const timeout = 20 * time.Millisecond
	m := newManager(t, newClock(), WithStore(store), WithGrace(0), WithStoreTimeout(timeout))
	login, err := m.Login(context.Background(), Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(context.Background(), login.Refresh); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("the rotation whose answer was lost: %v, want ErrStoreUnavailable", err)
	}
	for end := time.Now().Add(100 * timeout); store.takenBack.Load() == 0; time.Sleep(timeout / 4) {
		if time.Now().After(end) {
			t.Fatalf("not taken back after %d tries", store.takeBacks.Load())
		}
		if _, err := m.Refresh(context.Background(), login.Refresh); !errors.Is(err, ErrStoreUnavailable) {
			t.Fatalf("a retry while the take-back is pending: %v, want ErrStoreUnavailable", err)
		}
	}
	if n := store.rotated.Load(); n != 1 {
		t.Fatalf("%d rotations reached the store, want only the first", n)
	}
	for end := time.Now().Add(10 * timeout); ; time.Sleep(timeout / 4) {
		_, err := m.Refresh(context.Background(), login.Refresh)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrStoreUnavailable) || time.Now().After(end) {
			t.Fatalf("the retry after the take-back: %v, want a successor", err)
		}
	}
}
