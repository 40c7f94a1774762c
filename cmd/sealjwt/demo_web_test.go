package main

import (
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

func TestDemoWebRefusesAnAddressOtherMachinesReach(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "192.0.2.1:8080", ":8080", "example.com:80", "127.0.0.1"} {
		code, out, errs := runIn(t, t.TempDir(), "", "demo", "--web", "--addr", addr)
		if code != cli.ExitUsage || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "loopback") && !strings.Contains(errs, "host:port") {
			t.Errorf("demo --web --addr %s: exit %d, stdout %q, stderr %q; want exit 2 and one line", addr, code, out, errs)
		}
	}
}

func TestDemoAddrNeedsWeb(t *testing.T) {
	code, out, errs := runIn(t, t.TempDir(), "", "demo", "--addr", "127.0.0.1:8080")
	if code != cli.ExitUsage || out != "" || !strings.Contains(errs, "--web") {
		t.Errorf("demo --addr without --web: exit %d, stdout %q, stderr %q; want exit 2 naming --web", code, out, errs)
	}
}
