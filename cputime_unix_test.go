//go:build unix

package sealjwt_test

import (
	"syscall"
	"time"
)

// processCPUTime is the user and system time the process has used: on a
// shared machine, where waiting for a core inflates wall-clock times, the
// work a benchmark did.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
