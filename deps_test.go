package sealjwt_test

import (
	"os/exec"
	"strings"
	"testing"
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
