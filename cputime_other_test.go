//go:build !unix

package sealjwt_test

import "time"

// processCPUTime is not measured here: the cpu-ns/op metric reads 0.
func processCPUTime() time.Duration { return 0 }
