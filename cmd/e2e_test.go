// Package cmd_test builds the sealjwt, receiver and sender commands and
// runs them as a user would, as separate processes talking over loopback.
package cmd_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt/internal/observetest"
)

// bins holds the commands, built once for every test in this package.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// bin returns the path of a built command, building all three on first use.
func bin(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "sealjwt-bin-")
		if buildErr != nil {
			return
		}
		// No symbol tables or DWARF: the binaries are only run, and linking is
		// the slow part of the build.
		args := []string{"build", "-ldflags=-s -w", "-o", binDir + string(filepath.Separator)}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/sealjwt", "./cmd/receiver", "./cmd/sender")
		cmd := exec.Command(goTool(), args...)
		cmd.Dir = ".." // the module root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = &buildError{err: err, out: out.String()}
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return filepath.Join(binDir, name)
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// goTool is the go command running this test, so the build uses the same
// toolchain.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// result is a finished command.
type result struct {
	code           int
	stdout, stderr string
}

// run runs a command to completion with stdin and extra environment.
func run(t *testing.T, dir, stdin string, env []string, name string, args ...string) result {
	t.Helper()
	path := bin(t, name) // build first: the timeout is for the command alone
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String()}
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return res
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, dir, stdin string, name string, args ...string) string {
	t.Helper()
	r := run(t, dir, stdin, nil, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\nstderr: %s", name, strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startReceiver runs the receiver in the background, waits until url
// answers, and kills it when the test ends. It returns what the receiver
// has written to stdout and stderr.
func startReceiver(t *testing.T, dir string, env []string, probe string, args ...string) *observetest.LogBuffer {
	t.Helper()
	return startProgram(t, bin(t, "receiver"), dir, env, probe, args...)
}

// startProgram runs the program at path in the background, waits until
// probe answers, and kills it when the test ends. It returns what the
// program has written to stdout and stderr.
func startProgram(t *testing.T, path, dir string, env []string, probe string, args ...string) *observetest.LogBuffer {
	t.Helper()
	name := filepath.Base(path)
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	logs := &observetest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s log:\n%s", name, logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("%s exited early: %s", name, logs.String())
		default:
		}
		if resp, err := http.Get(probe); err == nil {
			resp.Body.Close()
			return logs
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %s", name, probe)
	return nil
}
