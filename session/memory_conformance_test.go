package session_test

import (
	"testing"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/storetest"
)

// TestMemoryConformance runs the suite on small stores: 64 sessions, 8
// per subject, so that a store whose capacity one account could spend
// fails OneAccountCannotLockOthersOut.
func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store {
		return session.NewMemory(session.WithCapacity(64), session.WithMaxFamiliesPerSubject(8))
	}, storetest.Options{FamiliesPerSubject: 8,
		Held: func(_ *testing.T, s session.Store) int { return s.(*session.Memory).Len() }})
}

func TestMemoryHTTP(t *testing.T) {
	storetest.HTTP(t, session.NewMemory(), nil)
}

func BenchmarkRefresh(b *testing.B) {
	b.Run("store=memory", func(b *testing.B) { storetest.Bench(b, session.NewMemory()) })
}

func TestMemoryImmediateRevocation(t *testing.T) {
	s := session.NewMemory()
	storetest.ImmediateRevocation(t, s, s)
}
