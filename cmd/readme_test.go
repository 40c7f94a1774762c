package cmd_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goBlock matches a fenced Go block, however its language is spelled.
var goBlock = regexp.MustCompile("(?is)```(?:go|golang)[ \t]*\n(.*?)```")

// maxReadmeProgram is the longest Go program the README may show: a
// longer one belongs in an Example function of its package.
const maxReadmeProgram = 40

// TestReadmeCodeCompiles builds every Go block in README.md, so the usage
// shown there cannot drift from the API. Each block must be a whole
// package main program: a fragment could not be compiled, so it is
// refused. Each program is placed in a package inside the module through a
// build overlay; nothing is written to the repository.
func TestReadmeCodeCompiles(t *testing.T) {
	t.Parallel()
	root, readme := readReadme(t)
	if !bytes.Contains(readme, []byte("go test -race -count=1 ./...")) {
		t.Error("README lost the test command that .ci/run runs")
	}
	tmp := t.TempDir()
	replace := map[string]string{}
	var pkgs []string
	for i, m := range goBlock.FindAllSubmatch(readme, -1) {
		if !bytes.HasPrefix(m[1], []byte("package main\n")) {
			t.Errorf("README Go block %d is not a package main program, so it cannot be compiled: it begins %q",
				i+1, firstLine(m[1]))
			continue
		}
		if n := bytes.Count(m[1], []byte("\n")); n > maxReadmeProgram {
			t.Errorf("README Go block %d is %d lines, over %d: move it into an Example function", i+1, n, maxReadmeProgram)
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
	if out, err := buildOverlay(t, root, replace, pkgs...); err != nil {
		t.Fatalf("README code does not compile: %v\n%s", err, strings.TrimSpace(string(out)))
	}
}

// firstLine returns b up to its first newline.
func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}

// readReadme returns the module's root directory and its README.md.
func readReadme(t *testing.T) (string, []byte) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, readme
}

// buildOverlay runs go build in root with the files of replace standing
// in for theirs, and further arguments.
func buildOverlay(t *testing.T, root string, replace map[string]string, args ...string) ([]byte, error) {
	t.Helper()
	overlay, _ := json.Marshal(map[string]any{"Replace": replace})
	ov := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	build := []string{"build", "-overlay", ov}
	if raceEnabled { // reuse the packages this test was built from
		build = append(build, "-race")
	}
	cmd := exec.Command(goTool(), append(build, args...)...)
	cmd.Dir = root
	return cmd.CombinedOutput()
}

// TestReadmeSessionsSampleRuns runs the README's sessions sample as
// pasted, on another loopback port only, and uses it as its readers
// would: a login asking for JSON gets tokens that the API takes, a login
// from a browser gets development cookies.
func TestReadmeSessionsSampleRuns(t *testing.T) {
	t.Parallel()
	root, readme := readReadme(t)
	const pasted = "127.0.0.1:8080"
	var src []byte
	for _, m := range goBlock.FindAllSubmatch(readme, -1) {
		if bytes.HasPrefix(m[1], []byte("package main")) && bytes.Contains(m[1], []byte("session.WithDevelopmentCookies()")) {
			src = m[1]
		}
	}
	if src == nil || !bytes.Contains(src, []byte(pasted)) {
		t.Fatalf("README has no sessions sample in development mode listening on %s", pasted)
	}
	addr := freeAddr(t)
	file := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(file, bytes.ReplaceAll(src, []byte(pasted), []byte(addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "sessions")
	dir := filepath.Join("cmd", "internal", "readmesessions")
	if out, err := buildOverlay(t, root, map[string]string{filepath.Join(root, dir, "main.go"): file},
		"-o", exe, "./"+filepath.ToSlash(dir)); err != nil {
		t.Fatalf("building the sessions sample: %v\n%s", err, out)
	}
	startProgram(t, exe, t.TempDir(), nil, "http://"+addr+"/api/")
	base := "http://" + addr
	tokens := postLogin(t, base, "application/json")
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(tokens.Body).Decode(&tr); err != nil || tr.TokenType != "Bearer" || tr.AccessToken == "" {
		t.Fatalf("a JSON login: %+v %v", tr, err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	if body, _ := io.ReadAll(send(t, req).Body); string(body) != "hello alice\n" {
		t.Errorf("the API with the access token: %q, want \"hello alice\"", body)
	}
	if c := postLogin(t, base, "").Cookies(); len(c) != 2 || c[0].Name != "access" || c[0].Secure {
		t.Errorf("a browser login set %v; want the development cookies access and refresh", c)
	}
}

// postLogin logs alice in, asking for accept.
func postLogin(t *testing.T, base, accept string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/auth/login", strings.NewReader("user=alice"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return send(t, req)
}

// send sends req and returns its 200 answer, closed when the test ends.
func send(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s (Accept %q): %d, want 200", req.Method, req.URL.Path, req.Header.Get("Accept"), resp.StatusCode)
	}
	return resp
}
