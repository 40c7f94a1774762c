//go:build !linux

package pgproc

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// supported refuses: finding the postmaster's children, to stop and kill
// them with it, reads Linux's /proc.
func supported() error {
	return fmt.Errorf("pgproc: stopping a server's processes on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func procAttr(*owner) *syscall.SysProcAttr { return nil }

const resumeSignal, killSignal = syscall.Signal(0), syscall.Signal(0)

func stopWithParent(*exec.Cmd)            {}
func stopTree(pid int) ([]int, error)     { return []int{pid}, supported() }
func signalAll([]int, syscall.Signal)     {}
func waitGone([]int, time.Duration) error { return nil }
