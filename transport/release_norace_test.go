//go:build !race

package transport

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// The same attack twice: the first wave brings the process to its working
// size, and the second must not grow it, as it would if the connections
// (their goroutines and buffers) were kept. Not under the race detector,
// whose shadow memory grows with every allocation and is never returned.
func TestAttackRefusedRequestsGrowMemory(t *testing.T) {
	srv, open := refusingServer(t)
	var rss [2]int
	for wave := range rss {
		took := attackWave(t, srv)
		waitClosed(t, open)
		rss[wave] = settledRSS(t)
		t.Logf("wave %d: %d refused requests answered and closed in %v; RSS %d KiB, goroutines %d",
			wave, heldConnections, took, rss[wave], runtime.NumGoroutine())
	}
	if grew := rss[1] - rss[0]; grew > 16<<10 {
		t.Fatalf("RSS grew by %d KiB in the second wave", grew)
	}
}

// settledRSS is the process's resident set in KiB after a collection that
// returns freed memory to the system.
func settledRSS(t *testing.T) int {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("the memory check needs /proc: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kib
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
