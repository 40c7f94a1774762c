package sealjwt_test

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// TestRootPackageLinksNoOptionalDependency checks that a program importing
// only the root package links neither go-redis (the Redis stores live in
// their own packages) nor the peer libraries the tests compare against.
func TestRootPackageLinksNoOptionalDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/redis/go-redis", "github.com/go-jose/", "github.com/lestrrat-go/", "github.com/jackc/pgx", "github.com/prometheus/"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("the root package links %s", dep)
			}
		}
	}
}

// TestNoHPKEContextInThePublicAPI checks that the Sealer and the Opener
// hand out no HPKE context: the transport derives its body keys through
// internal/exchange, and a user has one way to seal and one to open.
func TestNoHPKEContextInThePublicAPI(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[*sealjwt.Sealer](), reflect.TypeFor[*sealjwt.Opener]()} {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			for j := range m.Type.NumOut() {
				if out := m.Type.Out(j); out == reflect.TypeFor[*seal.Context]() || strings.Contains(m.Name, "Export") {
					t.Errorf("%s.%s hands out the HPKE context", typ.Elem().Name(), m.Name)
				}
			}
		}
	}
}
