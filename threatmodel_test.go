package sealjwt_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestThreatModelCitesOnlyDefinedTests fails when docs/THREAT_MODEL.md
// names a test, fuzz target, benchmark or example that no _test.go file in
// the module defines: a claim shown by a test that does not exist is no
// claim. A name ending in * stands for any test it begins.
func TestThreatModelCitesOnlyDefinedTests(t *testing.T) {
	doc, err := os.ReadFile("docs/THREAT_MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	funcDecl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark|Example)\w*)\(`)
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range funcDecl.FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cited := regexp.MustCompile("`((?:Test|Fuzz|Benchmark|Example)\\w*\\*?)`").FindAllSubmatch(doc, -1)
	if len(cited) < 50 {
		t.Fatalf("found %d cited tests: the pattern no longer matches the document", len(cited))
	}
	for _, m := range cited {
		if name := string(m[1]); !isDefined(name, defined) {
			t.Errorf("docs/THREAT_MODEL.md cites %s, which no test defines", name)
		}
	}
}

func isDefined(name string, defined map[string]bool) bool {
	prefix, wildcard := strings.CutSuffix(name, "*")
	if !wildcard {
		return defined[name]
	}
	for d := range defined {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}
