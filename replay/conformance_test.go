package replay_test

import (
	"testing"

	"github.com/sealjwt/sealjwt/internal/replaytest"
	"github.com/sealjwt/sealjwt/replay"
)

// TestMemoryStore runs the behaviour every store must show.
func TestMemoryStore(t *testing.T) {
	replaytest.Run(t, func(*testing.T) replay.Store { return replay.NewMemory() })
}
