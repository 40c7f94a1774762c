package sealjwt_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestRootPackageLinksNoOptionalDependency checks that a program importing
// only the root package (or seal, or token) links neither go-redis (the
// Redis stores live in their own packages), nor the PKCS#11 binding (cgo;
// package pkcs11), nor the peer libraries the tests compare against.
func TestRootPackageLinksNoOptionalDependency(t *testing.T) {
	for _, pkg := range []string{".", "./seal", "./token"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, banned := range []string{"github.com/redis/go-redis", "github.com/go-jose/", "github.com/lestrrat-go/", "github.com/jackc/pgx",
				"github.com/prometheus/", "github.com/miekg/pkcs11", "github.com/sealjwt/sealjwt/pkcs11"} {
				if strings.HasPrefix(dep, banned) {
					t.Errorf("package %s links %s", pkg, dep)
				}
			}
		}
	}
}
