package session_test

import (
	"testing"

	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/session/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) session.Store { return session.NewMemory() }, storetest.Options{})
}

func TestMemoryHTTP(t *testing.T) {
	storetest.HTTP(t, session.NewMemory(), nil)
}

func BenchmarkRefresh(b *testing.B) {
	b.Run("store=memory", func(b *testing.B) { storetest.Bench(b, session.NewMemory()) })
}
