// Package testserver decides what a test does when a server it needs does
// not answer: skip with a clear message, or fail under CI=true.
package testserver

import (
	"os"
	"testing"
)

// Missing ends the test because server at addr (configured by envVar) did
// not answer with err.
func Missing(t testing.TB, server, addr, envVar string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s at %s (%s) is required under CI=true: %v", server, addr, envVar, err)
	}
	t.Skipf("SKIPPED: no %s answers at %s (set %s): %v", server, addr, envVar, err)
}
