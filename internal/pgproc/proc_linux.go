package pgproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func supported() error { return nil }

const resumeSignal, killSignal = syscall.SIGCONT, syscall.SIGKILL

// procAttr runs a program as own, when not nil.
func procAttr(own *owner) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if own != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(own.uid), Gid: uint32(own.gid)}
	}
	return attr
}

// stopWithParent has the kernel kill the postmaster if the process that
// started it dies first; its children then exit on their own.
func stopWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// stopTree stops pid with SIGSTOP, then every process descending from it
// (PostgreSQL's children each lead a process group of their own, so the
// postmaster's group does not reach them), and returns them all, pid
// first. A stopped postmaster starts no more children, so once they are
// stopped too, the list is complete.
func stopTree(pid int) ([]int, error) {
	procs := []int{pid}
	_ = syscall.Kill(pid, syscall.SIGSTOP)
	err := waitStopped(pid)
	for {
		more := 0
		for _, p := range descendants(pid) {
			if !containsPid(procs, p) {
				_ = syscall.Kill(p, syscall.SIGSTOP)
				procs = append(procs, p)
				more++
			}
		}
		if more == 0 {
			break
		}
	}
	for _, p := range procs[1:] {
		err = errors.Join(err, waitStopped(p))
	}
	return procs, err
}

func containsPid(pids []int, p int) bool {
	for _, q := range pids {
		if q == p {
			return true
		}
	}
	return false
}

func signalAll(pids []int, sig syscall.Signal) {
	for _, p := range pids {
		_ = syscall.Kill(p, sig)
	}
}

// waitStopped waits until pid is stopped or gone.
func waitStopped(pid int) error {
	return waitState(pid, time.Second, "stopped", func(state byte, ok bool) bool {
		return !ok || state == 'T' || state == 'Z' || state == 'X'
	})
}

// waitGone waits until every pid has exited (a zombie has: it holds no
// memory, shared or not).
func waitGone(pids []int, limit time.Duration) error {
	var err error
	for _, p := range pids {
		err = errors.Join(err, waitState(p, limit, "gone", func(state byte, ok bool) bool {
			return !ok || state == 'Z' || state == 'X'
		}))
	}
	return err
}

func waitState(pid int, limit time.Duration, want string, done func(state byte, ok bool) bool) error {
	for end := time.Now().Add(limit); ; time.Sleep(time.Millisecond) {
		state, _, ok := stat(pid)
		if done(state, ok) {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("pgproc: process %d not %s after %v (state %c)", pid, want, limit, state)
		}
	}
}

// descendants lists the processes descending from pid, from /proc.
func descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, ok := stat(p); ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []int
	for queue := children[pid]; len(queue) > 0; queue = queue[1:] {
		out = append(out, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return out
}

// stat reads a process's state and parent from /proc/<pid>/stat; ok is
// false when the process is gone.
func stat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, false
	}
	// The command name, in parentheses, may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 2 || len(fields[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(fields[1])
	return fields[0][0], ppid, err == nil
}
