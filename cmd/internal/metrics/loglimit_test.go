package metrics

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestAttackRefusalFloodLogsAtMostTheRatePerReason: a flood of refusals of
// one reason writes at most RefusalLinesPerSecond lines a second; the rest
// are counted as dropped, the next line written says how many, and other
// reasons and lines without a reason are not held back.
func TestAttackRefusalFloodLogsAtMostTheRatePerReason(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(1000, 0)
	l := NewLogLimiter(slog.NewTextHandler(&out, nil), RefusalLinesPerSecond)
	l.now = func() time.Time { return now }
	log := slog.New(l)
	const flood = 1000
	for range flood {
		log.Info("sealjwt: request refused", "reason", "malformed")
	}
	log.Info("sealjwt: request refused", "reason", "replay")
	log.Info("receiver listening")
	lines := strings.Count(out.String(), "reason=malformed")
	if lines != RefusalLinesPerSecond || l.Dropped("malformed") != flood-RefusalLinesPerSecond {
		t.Fatalf("%d lines written, %d dropped; want %d and %d", lines, l.Dropped("malformed"), RefusalLinesPerSecond, flood-RefusalLinesPerSecond)
	}
	if !strings.Contains(out.String(), "reason=replay") || !strings.Contains(out.String(), "receiver listening") {
		t.Fatalf("other lines held back:\n%s", out.String())
	}
	out.Reset()
	now = now.Add(time.Second)
	log.Info("sealjwt: request refused", "reason", "malformed")
	if want := "dropped=990"; !strings.Contains(out.String(), want) {
		t.Fatalf("line after the flood: %q, want %s", out.String(), want)
	}
}
