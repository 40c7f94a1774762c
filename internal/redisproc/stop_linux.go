package redisproc

import (
	"os/exec"
	"syscall"
)

// stopWithParent has the kernel kill cmd if the test process dies first.
func stopWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
