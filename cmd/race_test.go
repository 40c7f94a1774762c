//go:build race

package cmd_test

// raceEnabled makes the end-to-end test build the commands with -race
// too: they then reuse the packages this test binary was compiled from,
// and the race detector also watches the processes under test.
const raceEnabled = true
