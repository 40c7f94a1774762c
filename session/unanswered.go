package session

import (
	"sync"
	"time"
)

// maxUnansweredRuns bounds the tokens whose unanswered presentations a
// Manager remembers (about 100 bytes each): during an outage it records
// one per client retrying, and a run older than the grace window is
// forgotten first. Past the bound a presentation is not recorded, which
// only gives that client the window the store saw.
const maxUnansweredRuns = 1 << 16

// unansweredRuns remembers, per presented refresh token, the run of
// presentations whose store calls got no answer (Rotation.UnansweredFirst
// and UnansweredLast). Only this Manager's presentations are in it: behind
// a load balancer, each server remembers the retries it saw.
type unansweredRuns struct {
	grace time.Duration
	mu    sync.Mutex
	runs  map[unansweredKey]unansweredRun
	// pruned is when the full map was last swept: at most once per tenth
	// of the window, so that presentations made up to fill it cost a
	// sweep each only that often.
	pruned time.Time
}

// unansweredKey names a presented token by its id and the hash of its
// secret, so that a presentation with another secret extends no run.
type unansweredKey struct {
	id   string
	hash SecretHash
}

type unansweredRun struct{ first, last time.Time }

func newUnansweredRuns(grace time.Duration) *unansweredRuns {
	return &unansweredRuns{grace: grace, runs: map[unansweredKey]unansweredRun{}}
}

// fill sets r's unanswered run, if one is open: its last presentation
// within the grace window of r.Now.
func (u *unansweredRuns) fill(r *Rotation) {
	if u.grace <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if run, ok := u.runs[unansweredKey{r.ID, r.Hash}]; ok && r.Now.Sub(run.last) < u.grace {
		r.UnansweredFirst, r.UnansweredLast = run.first, run.last
	}
}

// record adds r, whose store call got no answer, to its token's run, or
// starts a run if the last one closed.
func (u *unansweredRuns) record(r Rotation) {
	if u.grace <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	k := unansweredKey{r.ID, r.Hash}
	run, ok := u.runs[k]
	switch {
	case ok && r.Now.Sub(run.last) < u.grace:
		if r.Now.After(run.last) {
			run.last = r.Now
		}
	case !ok && len(u.runs) >= maxUnansweredRuns && !u.prune(r.Now):
		return
	default:
		run = unansweredRun{r.Now, r.Now}
	}
	u.runs[k] = run
}

// forget drops the run of a token the store answered for.
func (u *unansweredRuns) forget(r Rotation) {
	if u.grace <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.runs, unansweredKey{r.ID, r.Hash})
}

// prune drops the runs closed at now and reports whether room was made.
func (u *unansweredRuns) prune(now time.Time) bool {
	if now.Sub(u.pruned) < u.grace/10 {
		return false
	}
	u.pruned = now
	for k, run := range u.runs {
		if now.Sub(run.last) >= u.grace {
			delete(u.runs, k)
		}
	}
	return len(u.runs) < maxUnansweredRuns
}

// takeBacks counts, per presented token, the rotations answered 503 whose
// take-back may still run: the store call was given up (its late answer
// may say it committed) or its take-back goes on in the background. While
// one is pending, the Manager answers the token's next presentation 503
// without reaching the store: without a grace window, a retry that ran
// before the take-back would be a reuse. A count can go below zero for a
// moment (a late answer handled before the give-up is counted), which
// holds nothing; one held longer than maxHold is forgotten, so a call
// that never returns locks no client out.
type takeBacks struct {
	maxHold time.Duration
	mu      sync.Mutex
	held    map[unansweredKey]heldTakeBacks
}

type heldTakeBacks struct {
	n     int
	since time.Time // the latest hold
}

func newTakeBacks(maxHold time.Duration) *takeBacks {
	return &takeBacks{maxHold: maxHold, held: map[unansweredKey]heldTakeBacks{}}
}

// add counts one take-back of k's rotation as pending (+1) or done (-1).
func (t *takeBacks) add(k unansweredKey, d int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.held[k]
	h.n += d
	if d > 0 {
		h.since = time.Now()
	}
	if h.n == 0 {
		delete(t.held, k)
		return
	}
	t.held[k] = h
}

// holding reports whether a take-back of k's rotation is pending.
func (t *takeBacks) holding(k unansweredKey) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	h, ok := t.held[k]
	if ok && h.n > 0 && time.Since(h.since) >= t.maxHold {
		delete(t.held, k)
		return false
	}
	return ok && h.n > 0
}
