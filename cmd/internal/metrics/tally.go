package metrics

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"

	"github.com/sealjwt/sealjwt"
)

// Tally is a sealjwt.Observer that counts events by kind, outcome and
// reason, for a summary printed at the end of a run.
type Tally struct {
	mu     sync.Mutex
	counts map[outcomeKey]int64
}

type outcomeKey struct {
	kind    sealjwt.Kind
	outcome sealjwt.Outcome
	reason  sealjwt.Reason
}

// Observe counts e.
func (t *Tally) Observe(_ context.Context, e sealjwt.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[outcomeKey]int64{}
	}
	t.counts[outcomeKey{e.Kind, e.Outcome, e.Reason}]++
}

// Count returns how many events of kind had outcome for reason.
func (t *Tally) Count(kind sealjwt.Kind, outcome sealjwt.Outcome, reason sealjwt.Reason) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[outcomeKey{kind, outcome, reason}]
}

// Print writes one line per kind, outcome and reason seen, sorted, under
// title; nothing if no event was seen.
func (t *Tally) Print(w io.Writer, title string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.counts) == 0 {
		return
	}
	fmt.Fprintf(w, "%s\n", title)
	keys := slices.SortedFunc(maps.Keys(t.counts), func(a, b outcomeKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.outcome, b.outcome), cmp.Compare(a.reason, b.reason))
	})
	for _, k := range keys {
		label := string(k.outcome)
		if k.reason != "" {
			label += " (" + string(k.reason) + ")"
		}
		fmt.Fprintf(w, "  %-12s %-30s %d\n", k.kind, label, t.counts[k])
	}
}
