package session

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination the server and the test may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Each refusal is logged once, with the reason an operator can act on.
func TestRefusalLogCarriesReason(t *testing.T) {
	var logs lockedBuffer
	srv, _ := tutorialServer(t, nil, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if code, _ := getWith(t, srv, TokenHeader, "abc"); code != http.StatusUnauthorized {
		t.Fatalf("garbage token: %d", code)
	}
	out := logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"reason":"malformed"`) {
		t.Fatalf("refusal log:\n%s", out)
	}
}
