package session

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/observetest"
)

// Each refusal is logged once, with the reason an operator can act on.
func TestRefusalLogCarriesReason(t *testing.T) {
	var logs observetest.LogBuffer
	srv, _ := tutorialServer(t, nil, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if code, _ := getWith(t, srv, TokenHeader, "abc"); code != http.StatusUnauthorized {
		t.Fatalf("garbage token: %d", code)
	}
	out := logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"reason":"malformed"`) {
		t.Fatalf("refusal log:\n%s", out)
	}
}
