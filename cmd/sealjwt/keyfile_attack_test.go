package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Another user plants a symlink where keygen will write, pointing at a
// file of their own that they can read. keygen refuses the path without
// --force; with --force it replaces the symlink by a new file of mode 0600
// (rename from a temporary file beside it), and the planted file never
// receives the key.
func TestAttackKeygenSymlinkAtPath(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "without --force", true: "with --force"}[force], func(t *testing.T) {
			dir := t.TempDir()
			planted := filepath.Join(dir, "theirs.txt")
			if err := os.WriteFile(planted, []byte("readable by another user\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(planted, filepath.Join(dir, "k.jwk")); err != nil {
				t.Fatal(err)
			}
			args := []string{"keygen", "--alg", "HPKE-3", "--out", "k"}
			if force {
				args = append(args, "--force")
			}
			code, _, errs := runIn(t, dir, "", args...)
			if got, _ := os.ReadFile(planted); string(got) != "readable by another user\n" {
				t.Fatalf("the planted file was written: %q", got)
			}
			fi, err := os.Lstat(filepath.Join(dir, "k.jwk"))
			if err != nil {
				t.Fatal(err)
			}
			if !force {
				if code == 0 || fi.Mode()&os.ModeSymlink == 0 {
					t.Fatalf("keygen over a symlink: exit %d (%s), want a refusal", code, errs)
				}
				return
			}
			if code != 0 || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("keygen --force: exit %d (%s), k.jwk mode %v; want a new regular file of mode 0600", code, errs, fi.Mode())
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) != 0 {
				t.Fatalf("temporary files left: %v", leftovers)
			}
		})
	}
}
