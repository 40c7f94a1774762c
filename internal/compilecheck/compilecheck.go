// Package compilecheck builds a small program against the module's
// packages, for tests that show a misuse of the API does not compile.
package compilecheck

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// message is one compiler message about the probe's source.
var message = regexp.MustCompile(`(?m)probe\.go:(\d+):\d+: (.*)$`)

// Errors builds src, a main package, as a package of the module that the
// test runs in, and returns the compiler's messages by line of src. Every
// message is reported (-gcflags=-e), so one build shows each line that
// does not compile; a src that compiles returns none.
func Errors(t testing.TB, src string) map[int][]string {
	t.Helper()
	gomod, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		t.Fatalf("go env GOMOD: %q, %v", gomod, err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	tmp := t.TempDir()
	probe := filepath.Join(tmp, "probe.go")
	if err := os.WriteFile(probe, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	// The probe exists only in the overlay: nothing is written to the tree.
	dir := filepath.Join("internal", "compilecheck", "probe")
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(root, dir, "main.go"): probe}})
	ov := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool(), "build", "-o", os.DevNull, "-gcflags=-e", "-overlay", ov, "./"+filepath.ToSlash(dir))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	got := map[int][]string{}
	for _, m := range message.FindAllStringSubmatch(string(out), -1) {
		line, _ := strconv.Atoi(m[1])
		got[line] = append(got[line], m[2])
	}
	if err != nil && len(got) == 0 {
		t.Fatalf("go build failed without a message about the probe: %v\n%s", err, out)
	}
	return got
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
