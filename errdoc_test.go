package sealjwt_test

import (
	"context"
	"errors"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/errs"
	"github.com/sealjwt/sealjwt/internal/record"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	tok "github.com/sealjwt/sealjwt/token"
)

// publicPackage is the documentation of a package and the files it was read
// from.
type publicPackage struct {
	doc   *doc.Package
	files []*ast.File
}

// publicPackages parses every package a user can import (not internal, not
// cmd, not a main package), with comments, keyed by directory.
func publicPackages(t *testing.T) map[string]publicPackage {
	t.Helper()
	pkgs := map[string]publicPackage{}
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); dir != "." && (name == "internal" || name == "cmd" || name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		fset := token.NewFileSet()
		matches, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var files []*ast.File
		for _, m := range matches {
			if strings.HasSuffix(m, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, m, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			if f.Name.Name != "main" {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return nil
		}
		p, err := doc.NewFromFiles(fset, files, "github.com/sealjwt/sealjwt/"+dir)
		if err != nil {
			return err
		}
		pkgs[dir] = publicPackage{p, files}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// internalNames returns the names under which a file imports an internal
// package.
func internalNames(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if !strings.Contains(path, "/internal/") {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = true
	}
	return names
}

// mentionsInternal reports the first internal package a declaration names.
func mentionsInternal(decl ast.Node, internal map[string]bool) string {
	found := ""
	ast.Inspect(decl, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] && found == "" {
				found = id.Name + "." + sel.Sel.Name
			}
		}
		return found == ""
	})
	return found
}

// What go doc shows of a public package's constants and variables must be
// readable without the module's internal packages, and every exported error
// variable says what it means: its declaration names no internal package,
// and it has a doc comment of its own (or the one of a declaration holding
// it alone; go/doc moves that one to Value.Doc).
func TestPublicErrorsDocumentedWithoutInternalNames(t *testing.T) {
	pkgs := publicPackages(t)
	if len(pkgs) < 6 {
		t.Fatalf("found %d public packages, want at least the root, seal, token, replay, transport and session", len(pkgs))
	}
	checked := 0
	for dir, pkg := range pkgs {
		p := pkg.doc
		// Imports of every file: a declaration names a package by the
		// name its file gives it; a clash across files only widens the check.
		internal := map[string]bool{}
		for _, f := range pkg.files {
			for name := range internalNames(f) {
				internal[name] = true
			}
		}
		values := append(append([]*doc.Value{}, p.Consts...), p.Vars...)
		for _, typ := range p.Types {
			values = append(append(values, typ.Consts...), typ.Vars...)
		}
		for _, v := range values {
			for _, spec := range v.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for _, name := range vs.Names {
					if !name.IsExported() {
						continue
					}
					if got := mentionsInternal(vs, internal); got != "" {
						t.Errorf("%s: %s is declared with %s, an internal package", dir, name.Name, got)
					}
					if v.Decl.Tok != token.VAR || !strings.HasPrefix(name.Name, "Err") {
						continue
					}
					checked++
					if vs.Doc.Text() == "" && (len(v.Decl.Specs) > 1 || v.Doc == "") {
						t.Errorf("%s: error %s has no doc comment", dir, name.Name)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d error variables; the walk missed packages", checked)
	}
}

// The conditions that seal, token, the root package and the internal
// helpers share are one error each: an error raised by any of them matches
// the value every public package declares, both ways.
func TestSharedSentinelsMatch(t *testing.T) {
	for _, tc := range []struct {
		internal error
		public   []error
	}{
		{errs.ErrMalformed, []error{seal.ErrMalformed, tok.ErrMalformed, sealjwt.ErrMalformed}},
		{errs.ErrUnsupported, []error{seal.ErrUnsupported, tok.ErrUnsupported, sealjwt.ErrUnsupported}},
		{errs.ErrTooLarge, []error{seal.ErrTooLarge, tok.ErrTooLarge, sealjwt.ErrTooLarge}},
		{errs.ErrUnknownKey, []error{seal.ErrUnknownKey, tok.ErrUnknownKey, sealjwt.ErrUnknownKey}},
		{errs.ErrDecryption, []error{seal.ErrDecryption, sealjwt.ErrDecryption}},
		{errs.ErrInvalidKey, []error{seal.ErrInvalidKey, tok.ErrInvalidKey, sealjwt.ErrInvalidKey}},
		{errs.ErrTruncated, []error{record.ErrTruncated, sealjwt.ErrTruncated}},
		{errs.ErrTrailingData, []error{record.ErrTrailingData, sealjwt.ErrTrailingData}},
	} {
		raised := errors.Join(errors.New("context"), tc.internal)
		for _, pub := range tc.public {
			if !errors.Is(raised, pub) || !errors.Is(pub, tc.internal) {
				t.Errorf("%q does not match the public %q", tc.internal, pub)
			}
		}
	}
	if !errors.Is(sealjwt.ErrTrailingData, sealjwt.ErrMalformed) || !errors.Is(tok.ErrType, seal.ErrMalformed) {
		t.Error("a case of ErrMalformed does not match ErrMalformed")
	}
	if errors.Is(errs.ErrMalformed, seal.ErrUnsupported) || errors.Is(sealjwt.ErrTruncated, sealjwt.ErrMalformed) {
		t.Error("distinct conditions match each other")
	}
}

// go doc shows StreamRecordSize as a number, so it is written as one; it
// must stay the record size the stream code uses.
func TestStreamRecordSizeIsTheRecordDefault(t *testing.T) {
	if sealjwt.StreamRecordSize != record.DefaultRecordSize {
		t.Fatalf("StreamRecordSize %d, record.DefaultRecordSize %d", sealjwt.StreamRecordSize, record.DefaultRecordSize)
	}
}

// An error Open reports matches the root's name and the name in the
// package where the condition arose: an expired token matches
// sealjwt.ErrExpired and token.ErrExpired, a replay sealjwt.ErrReplayed
// and replay.ErrReplayed, a cut envelope the ErrMalformed of all three.
func TestOpenErrorsMatchEveryLayersName(t *testing.T) {
	ctx := context.Background()
	sender, recv := fixture(t)
	o := recv.opener(t, replay.NewMemory(), sender)
	past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, err := sender.sealer(t, tok.WithClock(past)).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(ctx, expired); !errors.Is(err, sealjwt.ErrExpired) || !errors.Is(err, tok.ErrExpired) {
		t.Fatalf("expired: %v, want sealjwt.ErrExpired and token.ErrExpired", err)
	}
	env, err := sender.sealer(t).Seal(ctx, recv.pub(), recv.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(ctx, env); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Open(ctx, env); !errors.Is(err, sealjwt.ErrReplayed) || !errors.Is(err, replay.ErrReplayed) {
		t.Fatalf("replayed: %v, want sealjwt.ErrReplayed and replay.ErrReplayed", err)
	}
	_, err = o.Open(ctx, env[:strings.IndexByte(env, '.')])
	for _, want := range []error{sealjwt.ErrMalformed, seal.ErrMalformed, tok.ErrMalformed} {
		if !errors.Is(err, want) {
			t.Fatalf("cut envelope: %v, want %v", err, want)
		}
	}
}
