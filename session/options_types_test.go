package session

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/compilecheck"
)

// The options a Bearer honours are Options: both constructors take them.
var (
	_ = []BearerOption{WithSingleUse(nil), WithObserver(nil), WithLogger(nil), WithTokenHeader(TokenHeader)}
	_ = []ManagerOption{WithSingleUse(nil), WithObserver(nil), WithLogger(nil), WithTokenHeader(TokenHeader)}
)

// managerOnly calls every option that only a Manager honours: NewBearer
// must not compile with any of them.
var managerOnly = map[string]string{
	"WithStore":                 "session.WithStore(nil)",
	"WithAccessTokenLifetime":   "session.WithAccessTokenLifetime(time.Minute)",
	"WithSessionLifetime":       "session.WithSessionLifetime(time.Hour)",
	"WithIdleTimeout":           "session.WithIdleTimeout(time.Hour)",
	"WithGrace":                 "session.WithGrace(0)",
	"WithStoreTimeout":          "session.WithStoreTimeout(time.Second)",
	"WithImmediateRevocation":   "session.WithImmediateRevocation()",
	"WithSealing":               "session.WithSealing(nil)",
	"WithClock":                 "session.WithClock(time.Now)",
	"WithCrossOriginProtection": "session.WithCrossOriginProtection(nil)",
	"WithDelivery":              "session.WithDelivery(session.DeliverCookies)",
	"WithRefreshPath":           "session.WithRefreshPath(\"/r\")",
	"WithSameSite":              "session.WithSameSite(0)",
	"WithDevelopmentCookies":    "session.WithDevelopmentCookies()",
}

// A Manager-only option given to NewBearer is a compile error, not a
// refusal at run time: each call below fails to build, and the same
// calls given to NewManager build.
func TestManagerOnlyOptionsDoNotCompileForNewBearer(t *testing.T) {
	if got, want := managerOptionNames(t), slices.Sorted(maps.Keys(managerOnly)); !slices.Equal(got, want) {
		t.Fatalf("options returning ManagerOption: %v; the test covers %v", got, want)
	}
	names := slices.Sorted(maps.Keys(managerOnly))
	src := func(call string) string {
		var b strings.Builder
		b.WriteString("package main\n\nimport (\n\t\"time\"\n\n\t\"github.com/sealjwt/sealjwt/session\"\n)\n\nvar _ = time.Now\n\nfunc main() {\n")
		for _, n := range names {
			b.WriteString("\t_, _ = " + strings.ReplaceAll(call, "OPT", managerOnly[n]) + "\n")
		}
		b.WriteString("}\n")
		return b.String()
	}
	first := strings.Count(src(""), "\n") - len(names) // the line of the first call in src
	if errs := compilecheck.Errors(t, src(`session.NewManager("api", nil, OPT)`)); len(errs) > 0 {
		t.Fatalf("the options do not compile for NewManager either: %v", errs)
	}
	errs := compilecheck.Errors(t, src(`session.NewBearer(nil, OPT)`))
	for i, n := range names {
		msgs := errs[first+i]
		if len(msgs) != 1 || !strings.Contains(msgs[0], "does not implement session.BearerOption") {
			t.Errorf("NewBearer(nil, %s): compiler says %q, want that it is not a BearerOption", managerOnly[n], msgs)
		}
	}
	if len(errs) != len(names) {
		t.Errorf("%d lines do not compile, want %d: %v", len(errs), len(names), errs)
	}
}

// managerOptionNames lists the package's With* functions that return a
// ManagerOption.
func managerOptionNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "With") || fn.Type.Results == nil {
				continue
			}
			if id, ok := fn.Type.Results.List[0].Type.(*ast.Ident); ok && id.Name == "ManagerOption" {
				names = append(names, fn.Name.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}
