package session

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// outage is a Memory store that answers ErrStoreUnavailable to every
// rotation while down, as a paused store whose connections are all busy
// does: the presentations reach the Manager, never the store.
type outage struct {
	*Memory
	down atomic.Bool
}

func (o *outage) Rotate(ctx context.Context, r Rotation) (Rotated, error) {
	if o.down.Load() {
		return Rotated{}, ErrStoreUnavailable
	}
	return o.Memory.Rotate(ctx, r)
}

// TestFaultRetriesThatNeverReachTheStoreKeepTheGraceWindow: a client's
// refresh answer is lost (its HTTP timeout ran out while the server was
// answering), then the store is out of reach for three grace windows,
// and the client retries every second. When the store is back, its retry
// gets the same successor: the Manager saw the retries the store did
// not, so an honest client is not taken for a thief. A thief whose first
// presentation comes after the window closed is still one.
func TestFaultRetriesThatNeverReachTheStoreKeepTheGraceWindow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		firstTry  time.Duration // from the lost answer to the first retry
		want      error
		wantSameS bool
	}{
		{"honest client retrying", time.Second, nil, true},
		{"thief after the window", defaultGrace + time.Second, ErrReuse, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			store := &outage{Memory: NewMemory()}
			m := newManager(t, clk, WithStore(store))
			login, err := m.Login(context.Background(), Grant{Subject: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			lost, err := m.Refresh(context.Background(), login.Refresh) // its answer never arrives
			if err != nil {
				t.Fatal(err)
			}
			store.down.Store(true)
			clk.Advance(tc.firstTry)
			for end := clk.Now().Add(3 * defaultGrace); clk.Now().Before(end); clk.Advance(time.Second) {
				if _, err := m.Refresh(context.Background(), login.Refresh); !errors.Is(err, ErrStoreUnavailable) {
					t.Fatalf("while the store is away: %v, want ErrStoreUnavailable", err)
				}
			}
			store.down.Store(false)
			got, err := m.Refresh(context.Background(), login.Refresh)
			if !errors.Is(err, tc.want) {
				t.Fatalf("retry once the store is back: %v, want %v", err, tc.want)
			}
			if tc.wantSameS && got.Refresh != lost.Refresh {
				t.Fatal("the retry got another successor than the lost answer")
			}
		})
	}
}

// TestUnansweredRunsBounded: presentations made up to fill the Manager's
// memory of unanswered runs stop at its bound, and a closed run is swept
// to make room.
func TestUnansweredRunsBounded(t *testing.T) {
	u := newUnansweredRuns(defaultGrace)
	now := time.Now()
	for i := range maxUnansweredRuns + 10 {
		u.record(Rotation{ID: strconv.Itoa(i), Now: now})
	}
	if len(u.runs) != maxUnansweredRuns {
		t.Fatalf("%d runs remembered, want the bound %d", len(u.runs), maxUnansweredRuns)
	}
	later := now.Add(defaultGrace)
	u.record(Rotation{ID: "new", Now: later})
	if len(u.runs) != 1 {
		t.Fatalf("%d runs after the window closed, want only the new one", len(u.runs))
	}
}
