package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func memFamilyFor(id, subject string) (Family, Refresh) {
	f := Family{ID: id, Subject: subject, Scopes: []string{"read"}, CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	return f, Refresh{ID: id + "-r0", FamilyID: id, Hash: SecretHash{1}, IssuedAt: t0}
}

func rotation(id string, h byte, next string, now time.Time) Rotation {
	return Rotation{ID: id, Hash: SecretHash{h}, Next: Refresh{ID: next, Hash: SecretHash{h + 1}, IssuedAt: now},
		Now: now, Grace: 10 * time.Second, Idle: 7 * 24 * time.Hour}
}

func TestMemoryRotateRules(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	f, first := memFamilyFor("fam", "alice")
	if err := m.Create(ctx, f, first); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Rotate(ctx, rotation("fam-r0", 9, "x", t0)); !errors.Is(err, ErrInvalidRefresh) {
		t.Fatalf("wrong secret: %v, want ErrInvalidRefresh", err)
	}
	got, err := m.Rotate(ctx, rotation("fam-r0", 1, "fam-r1", t0.Add(time.Minute)))
	if err != nil || got.InGrace || got.Family.Subject != "alice" || got.Family.Scopes[0] != "read" {
		t.Fatalf("first rotation: %+v %v", got, err)
	}
	got, err = m.Rotate(ctx, rotation("fam-r0", 1, "fam-r1b", t0.Add(time.Minute+5*time.Second)))
	if err != nil || !got.InGrace {
		t.Fatalf("retry within grace: %+v %v, want InGrace", got, err)
	}
	if _, err := m.Rotate(ctx, rotation("fam-r0", 1, "fam-r1c", t0.Add(2*time.Minute))); !errors.Is(err, ErrReuse) {
		t.Fatalf("reuse after grace: %v, want ErrReuse", err)
	}
	if _, err := m.Rotate(ctx, rotation("fam-r1", 2, "fam-r2", t0.Add(2*time.Minute))); !errors.Is(err, ErrRevoked) {
		t.Fatalf("successor after reuse: %v, want ErrRevoked", err)
	}
	if fam, err := m.Lookup(ctx, "fam-r1", SecretHash{2}); err != nil || fam.ID != "fam" {
		t.Fatalf("Lookup: %+v %v", fam, err)
	}
	if _, err := m.Lookup(ctx, "fam-r1", SecretHash{3}); !errors.Is(err, ErrInvalidRefresh) {
		t.Fatalf("Lookup with wrong hash: %v", err)
	}
}

func TestMemoryWrongSecretChangesNothing(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	f, first := memFamilyFor("fam", "alice")
	_ = m.Create(ctx, f, first)
	for range 3 {
		if _, err := m.Rotate(ctx, rotation("fam-r0", 7, "x", t0)); !errors.Is(err, ErrInvalidRefresh) {
			t.Fatal(err)
		}
	}
	if _, err := m.Rotate(ctx, rotation("fam-r0", 1, "fam-r1", t0)); err != nil {
		t.Fatalf("the real token after wrong guesses: %v", err)
	}
}

func TestMemoryExpiryAndIdle(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	f, first := memFamilyFor("fam", "alice")
	_ = m.Create(ctx, f, first)
	idle := rotation("fam-r0", 1, "fam-r1", t0.Add(7*24*time.Hour))
	if _, err := m.Rotate(ctx, idle); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("idle 7 days: %v, want ErrSessionExpired", err)
	}
	now := t0
	for i := range 4 { // one refresh every 6 days keeps it alive until day 30
		now = now.Add(6 * 24 * time.Hour)
		if _, err := m.Rotate(ctx, rotation(fmt.Sprintf("fam-r%d", i), byte(i+1), fmt.Sprintf("fam-r%d", i+1), now)); err != nil {
			t.Fatalf("refresh on day %d: %v", 6*(i+1), err)
		}
	}
	if _, err := m.Rotate(ctx, rotation("fam-r4", 5, "fam-r5", t0.Add(30*24*time.Hour))); !errors.Is(err, ErrSessionExpired) {
		t.Fatalf("absolute lifetime: %v, want ErrSessionExpired", err)
	}
}

func TestMemoryRevokeSubjectAndFamily(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	for _, id := range []string{"a1", "a2", "b1"} {
		f, first := memFamilyFor(id, id[:1])
		_ = m.Create(ctx, f, first)
	}
	_ = m.RevokeSubject(ctx, "a")
	_ = m.RevokeFamily(ctx, "unknown")
	for id, want := range map[string]error{"a1": ErrRevoked, "a2": ErrRevoked, "b1": nil} {
		if _, err := m.Rotate(ctx, rotation(id+"-r0", 1, id+"-r1", t0)); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", id, err, want)
		}
	}
	_ = m.RevokeFamily(ctx, "b1")
	if _, err := m.Rotate(ctx, rotation("b1-r1", 2, "b1-r2", t0)); !errors.Is(err, ErrRevoked) {
		t.Errorf("after logout: %v", err)
	}
}

// The store is bounded: a store full of other subjects' sessions refuses
// new ones (fail closed) until a family's absolute lifetime ends, and then
// forgets that family; rotations add nothing to hold, so they go on.
func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(WithCapacity(2))
	f, first := memFamilyFor("f1", "a")
	_ = m.Create(ctx, f, first)
	f, first = memFamilyFor("f2", "b")
	_ = m.Create(ctx, f, first)
	f, first = memFamilyFor("f3", "c")
	if err := m.Create(ctx, f, first); !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("full store: %v, want ErrStoreUnavailable", err)
	}
	for i := range 3 * KeptConsumed {
		r := rotation(fmt.Sprintf("f1-r%d", i), byte(i+1), fmt.Sprintf("f1-r%d", i+1), t0.Add(time.Duration(i)*time.Minute))
		if _, err := m.Rotate(ctx, r); err != nil {
			t.Fatalf("rotation %d in a full store: %v", i, err)
		}
	}
	if want := 2 + KeptConsumed; m.Len() != want {
		t.Fatalf("Len = %d after many rotations, want %d: one live token per family and the family's latest %d consumed", m.Len(), want, KeptConsumed)
	}
	f.CreatedAt = f.ExpiresAt
	f.ExpiresAt = f.CreatedAt.Add(time.Hour)
	if err := m.Create(ctx, f, first); err != nil {
		t.Fatalf("after the others expired: %v", err)
	}
	if m.Len() != 1 {
		t.Fatalf("Len = %d, want 1: expired families are forgotten", m.Len())
	}
}

// Concurrent rotations of one token: exactly one succeeds outside the
// grace window, the others are reuse and revoke the family.
func TestMemoryConcurrentRotation(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	f, first := memFamilyFor("fam", "alice")
	_ = m.Create(ctx, f, first)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 32 {
		wg.Go(func() {
			r := rotation("fam-r0", 1, fmt.Sprintf("n%d", i), t0)
			r.Grace = 0
			if _, err := m.Rotate(ctx, r); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d rotations succeeded, want exactly 1", ok)
	}
}
