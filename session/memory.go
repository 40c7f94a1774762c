package session

import (
	"container/heap"
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"sync"
	"time"
)

// defaultMemoryCapacity is the number of families (sessions) a Memory
// store holds by default. A family holds at most one live refresh token
// and its latest KeptConsumed consumed ones, roughly 1.5 KiB at most, so
// the default bounds the store near 200 MiB whatever its users do.
const defaultMemoryCapacity = 1 << 17

// Memory is the in-process Store: the default, for a single process. It
// holds at most its capacity of families, and per subject at most its
// per-subject bound (a login beyond it forgets that subject's oldest
// family). A family is forgotten once its absolute lifetime has passed,
// and when every held family is still alive, Create fails with
// ErrStoreUnavailable rather than evicting another subject's session.
// Nothing survives the process: a restart logs every user out. Safe for
// concurrent use.
type Memory struct {
	mu         sync.Mutex
	capacity   int
	perSubject int
	tokens     map[string]*memToken
	families   map[string]*memFamily
	bySubject  map[string]map[string]*memFamily
	expiry     familyHeap
	watchers   map[*func([]string)]struct{} // WatchRevocations
	revokedLog []memRevocation              // revocations, oldest first, for catching up
}

// memRevocation is one revocation, kept for watchers that catch up.
type memRevocation struct {
	familyID string
	at       time.Time
}

// revocationLogBound bounds the revocations kept for catching up: a
// watcher subscribes within milliseconds of asking, so the latest few
// thousand are plenty.
const revocationLogBound = 4096

type memFamily struct {
	Family
	revoked  bool
	lastUse  time.Time
	live     string   // id of the token not consumed yet
	consumed []string // ids of the latest consumed tokens, oldest first
	index    int      // position in the expiry heap
}

type memToken struct {
	family   *memFamily
	hash     SecretHash
	consumed time.Time // zero while the token is unused
	request  RequestID // the rotation that consumed it
	shared   bool      // its successor was handed to a grace retry: no Abandon
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithCapacity sets the most families held (default
// 131,072). Values below 1 are treated as 1.
func WithCapacity(n int) MemoryOption {
	return func(m *Memory) { m.capacity = max(n, 1) }
}

// WithMaxFamiliesPerSubject sets the most families kept per subject
// (default DefaultMaxFamiliesPerSubject); a login beyond it forgets the
// subject's oldest family. Values below 1 are treated as 1.
func WithMaxFamiliesPerSubject(n int) MemoryOption {
	return func(m *Memory) { m.perSubject = max(n, 1) }
}

// NewMemory returns an empty Memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		capacity:   defaultMemoryCapacity,
		perSubject: DefaultMaxFamiliesPerSubject,
		tokens:     map[string]*memToken{},
		families:   map[string]*memFamily{},
		bySubject:  map[string]map[string]*memFamily{},
		watchers:   map[*func([]string)]struct{}{},
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Create implements Store. f.CreatedAt serves as the current time for
// forgetting expired families.
func (m *Memory) Create(_ context.Context, f Family, first Refresh) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evictExpired(f.CreatedAt)
	if _, dup := m.families[f.ID]; dup {
		return fmt.Errorf("session: family id %q already exists", f.ID)
	}
	if _, dup := m.tokens[first.ID]; dup {
		return fmt.Errorf("session: refresh token id %q already exists", first.ID)
	}
	if subj := m.bySubject[f.Subject]; len(subj) >= m.perSubject {
		old := oldest(subj)
		m.forget(old)
		if !old.revoked {
			m.revoked(old.ID)
		}
	}
	if len(m.families) >= m.capacity {
		return fmt.Errorf("%w: memory store holds its capacity of %d sessions", ErrStoreUnavailable, m.capacity)
	}
	mf := &memFamily{Family: f, lastUse: f.CreatedAt}
	mf.Scopes = append([]string(nil), f.Scopes...)
	mf.Claims = append([]byte(nil), f.Claims...)
	m.families[f.ID] = mf
	heap.Push(&m.expiry, mf)
	if m.bySubject[f.Subject] == nil {
		m.bySubject[f.Subject] = map[string]*memFamily{}
	}
	m.bySubject[f.Subject][f.ID] = mf
	m.addToken(mf, first)
	return nil
}

// oldest returns the family of subj logged in first.
func oldest(subj map[string]*memFamily) *memFamily {
	var old *memFamily
	for _, mf := range subj {
		if old == nil || mf.CreatedAt.Before(old.CreatedAt) {
			old = mf
		}
	}
	return old
}

func (m *Memory) addToken(mf *memFamily, r Refresh) {
	m.tokens[r.ID] = &memToken{family: mf, hash: r.Hash}
	mf.live = r.ID
}

// Rotate implements Store, deciding in the order the Store documentation
// gives. r.Next.FamilyID is not consulted: the successor joins the
// presented token's family. The store has no clock of its own: the call
// is its commit, so r.Now is the commit time.
func (m *Memory) Rotate(_ context.Context, r Rotation) (Rotated, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[r.ID]
	if !ok || subtle.ConstantTimeCompare(t.hash[:], r.Hash[:]) != 1 {
		return Rotated{}, ErrInvalidRefresh
	}
	mf := t.family
	switch {
	case mf.revoked:
		return Rotated{}, ErrRevoked
	case !r.Now.Before(mf.ExpiresAt), r.Idle > 0 && r.Now.Sub(mf.lastUse) >= r.Idle:
		return Rotated{}, ErrSessionExpired
	}
	if !t.consumed.IsZero() {
		return m.rotateConsumed(mf, t, r)
	}
	if late(r) {
		return Rotated{}, errLate
	}
	if _, dup := m.tokens[r.Next.ID]; dup {
		return Rotated{}, fmt.Errorf("session: refresh token id %q already exists", r.Next.ID)
	}
	t.consumed, t.request = r.Now, r.Request
	mf.lastUse = r.Now
	mf.consumed = append(mf.consumed, r.ID)
	if len(mf.consumed) > KeptConsumed {
		delete(m.tokens, mf.consumed[0])
		mf.consumed = slices.Delete(mf.consumed, 0, 1)
	}
	m.addToken(mf, r.Next)
	return Rotated{Family: mf.copy(), Request: r.Request}, nil
}

// Abandon implements Abandoner.
func (m *Memory) Abandon(_ context.Context, r Rotation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[r.ID]
	if !ok || t.hash != r.Hash || t.request != r.Request || r.Request == (RequestID{}) || t.shared {
		return nil
	}
	mf := t.family
	next, ok := m.tokens[r.Next.ID]
	if !ok || next.family != mf || !next.consumed.IsZero() || mf.revoked || mf.live != r.Next.ID {
		return nil
	}
	delete(m.tokens, r.Next.ID)
	t.consumed, t.request = time.Time{}, RequestID{}
	mf.live = r.ID
	if i := slices.Index(mf.consumed, r.ID); i >= 0 {
		mf.consumed = slices.Delete(mf.consumed, i, i+1)
	}
	return nil
}

// errLate answers a rotation that ran after its caller gave up: it
// changes nothing, not even a reuse's revocation, since the caller
// answered 503 and its client will present the token again.
var errLate = fmt.Errorf("%w: the rotation's deadline passed before it ran", ErrStoreUnavailable)

func late(r Rotation) bool { return !r.Deadline.IsZero() && time.Now().After(r.Deadline) }

// rotateConsumed decides for a consumed token: the same request again,
// another within the grace window, or a reuse.
func (m *Memory) rotateConsumed(mf *memFamily, t *memToken, r Rotation) (Rotated, error) {
	switch {
	case r.Request != (RequestID{}) && r.Request == t.request:
		return Rotated{Family: mf.copy(), Request: t.request}, nil
	case r.Grace > 0 && r.Now.Sub(windowStart(t.consumed, mf.latestConsumed(r.ID), r)) < r.Grace:
		if r.Now.After(mf.lastUse) {
			mf.lastUse = r.Now
		}
		if mf.latestConsumed(r.ID) && r.Now.After(t.consumed) {
			t.consumed = r.Now // the successor is unused: the window runs from this retry
		}
		t.shared = true
		return Rotated{Family: mf.copy(), Request: t.request, InGrace: true}, nil
	case late(r):
		return Rotated{}, errLate
	}
	m.revoke(mf)
	return Rotated{}, ErrReuse
}

// latestConsumed reports whether id is mf's latest consumed token: its
// successor is unused.
func (mf *memFamily) latestConsumed(id string) bool {
	n := len(mf.consumed)
	return n > 0 && mf.consumed[n-1] == id
}

// windowStart is when the grace window of a token consumed at consumed
// runs from: the last unanswered presentation of r, if latest (its
// successor unused) and the run began within the window (rule 4 of Store).
func windowStart(consumed time.Time, latest bool, r Rotation) time.Time {
	if latest && !r.UnansweredFirst.IsZero() && r.UnansweredFirst.Sub(consumed) < r.Grace && r.UnansweredLast.After(consumed) {
		return r.UnansweredLast
	}
	return consumed
}

// revoke marks mf revoked and tells the watchers.
func (m *Memory) revoke(mf *memFamily) {
	if !mf.revoked {
		mf.revoked = true
		m.revoked(mf.ID)
	}
}

// revoked tells the watchers that a family ended before its time.
func (m *Memory) revoked(familyID string) {
	if len(m.revokedLog) >= revocationLogBound {
		m.revokedLog = slices.Delete(m.revokedLog, 0, len(m.revokedLog)/2)
	}
	m.revokedLog = append(m.revokedLog, memRevocation{familyID, time.Now()})
	for w := range m.watchers {
		(*w)([]string{familyID})
	}
}

// WatchRevocations implements RevocationFeed: the watcher is called
// in-process, under the store's lock, so it never misses one.
func (m *Memory) WatchRevocations(ctx context.Context, since time.Time, revoked func([]string)) error {
	m.mu.Lock()
	var ids []string
	for _, r := range m.revokedLog {
		if r.at.After(since) {
			ids = append(ids, r.familyID)
		}
	}
	revoked(ids)
	m.watchers[&revoked] = struct{}{}
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	delete(m.watchers, &revoked)
	m.mu.Unlock()
	return ctx.Err()
}

// RevokeFamily implements Store.
func (m *Memory) RevokeFamily(_ context.Context, familyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mf, ok := m.families[familyID]; ok {
		m.revoke(mf)
	}
	return nil
}

// RevokeSubject implements Store.
func (m *Memory) RevokeSubject(_ context.Context, subject string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mf := range m.bySubject[subject] {
		m.revoke(mf)
	}
	return nil
}

// Lookup implements Store.
func (m *Memory) Lookup(_ context.Context, id string, h SecretHash) (Family, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[id]
	if !ok || subtle.ConstantTimeCompare(t.hash[:], h[:]) != 1 {
		return Family{}, ErrInvalidRefresh
	}
	return t.family.copy(), nil
}

// Len returns the number of refresh tokens held, the consumed ones it
// remembers included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tokens)
}

// copy returns the family with slices the caller may keep and change.
func (mf *memFamily) copy() Family {
	f := mf.Family
	f.Scopes = append([]string(nil), f.Scopes...)
	f.Claims = append([]byte(nil), f.Claims...)
	return f
}

// evictExpired forgets every family whose absolute lifetime has passed at
// now, with its tokens: none of them can be refreshed any more.
func (m *Memory) evictExpired(now time.Time) {
	for len(m.expiry) > 0 && !now.Before(m.expiry[0].ExpiresAt) {
		m.forget(m.expiry[0])
	}
}

// forget drops mf and every token of it the store holds.
func (m *Memory) forget(mf *memFamily) {
	heap.Remove(&m.expiry, mf.index)
	delete(m.tokens, mf.live)
	for _, id := range mf.consumed {
		delete(m.tokens, id)
	}
	delete(m.families, mf.ID)
	if subj := m.bySubject[mf.Subject]; subj != nil {
		delete(subj, mf.ID)
		if len(subj) == 0 {
			delete(m.bySubject, mf.Subject)
		}
	}
}

// familyHeap is a min-heap of families ordered by absolute expiry.
type familyHeap []*memFamily

func (h familyHeap) Len() int           { return len(h) }
func (h familyHeap) Less(i, j int) bool { return h[i].ExpiresAt.Before(h[j].ExpiresAt) }
func (h familyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *familyHeap) Push(x any) {
	mf := x.(*memFamily)
	mf.index = len(*h)
	*h = append(*h, mf)
}
func (h *familyHeap) Pop() any {
	old := *h
	mf := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return mf
}
