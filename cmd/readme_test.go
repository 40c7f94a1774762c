package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestReadmeCodeCompiles builds every Go program in README.md, so the
// usage shown there cannot drift from the API. Each program is placed in
// a package inside the module through a build overlay; nothing is written
// to the repository.
func TestReadmeCodeCompiles(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("go test -race -count=1 ./...")) {
		t.Error("README lost the test command that .ci/run runs")
	}
	tmp := t.TempDir()
	replace := map[string]string{}
	var pkgs []string
	for i, m := range goBlock.FindAllSubmatch(readme, -1) {
		if !bytes.HasPrefix(m[1], []byte("package main")) {
			continue
		}
		src := filepath.Join(tmp, strconv.Itoa(i)+".go")
		if err := os.WriteFile(src, m[1], 0o600); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join("cmd", "internal", "readme"+strconv.Itoa(i))
		replace[filepath.Join(root, dir, "main.go")] = src
		pkgs = append(pkgs, "./"+filepath.ToSlash(dir))
	}
	if len(pkgs) < 2 {
		t.Fatalf("README has %d Go programs; want the message and the transport examples", len(pkgs))
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": replace})
	ov := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-overlay", ov}
	if raceEnabled { // reuse the packages this test was built from
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool(), append(args, pkgs...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README code does not compile: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}
