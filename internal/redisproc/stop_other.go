//go:build !linux

package redisproc

import "os/exec"

// stopWithParent does nothing where the kernel cannot tie a child's life
// to its parent's; the test's cleanup stops the child.
func stopWithParent(*exec.Cmd) {}
