package replay

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReplayAfterExpiryAccepted(t *testing.T) {
	ctx := context.Background()
	t.Run("store=memory", func(t *testing.T) {
		now := time.Unix(1_700_000_000, 0)
		m := NewMemory(WithClock(func() time.Time { return now }))
		exp := now.Add(time.Minute)
		if err := m.Check(ctx, "iss", "id", exp); err != nil {
			t.Fatal(err)
		}
		now = exp.Add(-time.Nanosecond)
		if err := m.Check(ctx, "iss", "id", exp); !errors.Is(err, ErrReplayed) {
			t.Fatalf("just before expiry: %v, want ErrReplayed", err)
		}
		now = exp
		if err := m.Check(ctx, "iss", "id", exp.Add(time.Minute)); err != nil {
			t.Fatalf("at expiry: %v, want nil", err)
		}
	})
}

func TestAlreadyExpiredPairRememberedBriefly(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(WithClock(func() time.Time { return now }))
	past := now.Add(-time.Hour)
	if err := m.Check(ctx, "iss", "id", past); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(ctx, "iss", "id", past); !errors.Is(err, ErrReplayed) {
		t.Fatalf("immediate replay of an expired pair: %v, want ErrReplayed", err)
	}
	now = now.Add(minTTL)
	if err := m.Check(ctx, "iss", "id", past); err != nil {
		t.Fatalf("after minTTL: %v, want nil", err)
	}

}

func TestFloodOfLiveEntriesFailsClosed(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(WithCapacity(3), WithClock(func() time.Time { return now }))
	for i, d := range []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute} {
		if err := m.Check(ctx, "iss", string(rune('a'+i)), now.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Check(ctx, "iss", "d", now.Add(time.Hour)); !errors.Is(err, ErrFull) {
		t.Fatalf("full of live entries: %v, want ErrFull", err)
	}
	// The refused pair must not have been remembered either.
	now = now.Add(90 * time.Second) // "a" has expired; "b" and "c" are live
	if err := m.Check(ctx, "iss", "d", now.Add(time.Hour)); err != nil {
		t.Fatalf("after one entry expired: %v, want nil", err)
	}
	if got := m.Len(); got != 3 {
		t.Fatalf("Len = %d, want 3 (expired entry evicted)", got)
	}
	for _, live := range []string{"b", "c", "d"} {
		if err := m.Check(ctx, "iss", live, now.Add(time.Hour)); !errors.Is(err, ErrReplayed) {
			t.Fatalf("live entry %q was evicted: %v", live, err)
		}
	}
}

// WithClock(nil) is the default clock, as for every WithClock of the
// module, rather than a store that fails on its first check.
func TestWithClockNilIsTimeNow(t *testing.T) {
	m := NewMemory(WithClock(nil))
	if err := m.Check(context.Background(), "iss", "id", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(context.Background(), "iss", "id", time.Now().Add(time.Minute)); !errors.Is(err, ErrReplayed) {
		t.Fatalf("second check: %v, want ErrReplayed", err)
	}
}
