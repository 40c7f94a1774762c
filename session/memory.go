package session

import (
	"container/heap"
	"context"
	"crypto/subtle"
	"fmt"
	"sync"
	"time"
)

// DefaultMemoryCapacity is the number of refresh tokens, consumed ones
// included, that a Memory store holds by default. A token costs roughly
// 150 bytes, so the default bounds the store near 150 MiB.
const DefaultMemoryCapacity = 1 << 20

// Memory is the in-process Store: the default, for a single process. It
// holds at most its capacity of refresh tokens; a family is forgotten once
// its absolute lifetime has passed, and when every held family is still
// alive, Create fails with ErrStoreUnavailable rather than evicting a live
// session. Safe for concurrent use.
type Memory struct {
	mu        sync.Mutex
	capacity  int
	tokens    map[string]*memToken
	families  map[string]*memFamily
	bySubject map[string]map[string]*memFamily
	expiry    familyHeap
}

type memFamily struct {
	Family
	revoked bool
	lastUse time.Time
	tokens  []string // ids of every token issued in the family
}

type memToken struct {
	family   *memFamily
	hash     SecretHash
	consumed time.Time // zero while the token is unused
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithCapacity sets the most refresh tokens held (default
// DefaultMemoryCapacity). Values below 1 are treated as 1.
func WithCapacity(n int) MemoryOption {
	return func(m *Memory) { m.capacity = max(n, 1) }
}

// NewMemory returns an empty Memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		capacity:  DefaultMemoryCapacity,
		tokens:    map[string]*memToken{},
		families:  map[string]*memFamily{},
		bySubject: map[string]map[string]*memFamily{},
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
	if err := m.checkRoom(); err != nil {
		return err
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

// checkRoom fails closed when the store holds its capacity of tokens.
func (m *Memory) checkRoom() error {
	if len(m.tokens) >= m.capacity {
		return fmt.Errorf("%w: memory store holds its capacity of %d refresh tokens", ErrStoreUnavailable, m.capacity)
	}
	return nil
}

func (m *Memory) addToken(mf *memFamily, r Refresh) {
	m.tokens[r.ID] = &memToken{family: mf, hash: r.Hash}
	mf.tokens = append(mf.tokens, r.ID)
}

// Rotate implements Store, deciding in the order the Store documentation
// gives. r.Next.FamilyID is not consulted: the successor joins the
// presented token's family.
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
	inGrace := false
	if !t.consumed.IsZero() {
		if r.Grace <= 0 || r.Now.Sub(t.consumed) >= r.Grace {
			mf.revoked = true
			return Rotated{}, ErrReuse
		}
		inGrace = true
	}
	if _, dup := m.tokens[r.Next.ID]; dup {
		return Rotated{}, fmt.Errorf("session: refresh token id %q already exists", r.Next.ID)
	}
	m.evictExpired(r.Now) // never this family: it is alive at r.Now
	if err := m.checkRoom(); err != nil {
		return Rotated{}, err
	}
	if !inGrace {
		t.consumed = r.Now
	}
	mf.lastUse = r.Now
	m.addToken(mf, r.Next)
	return Rotated{Family: mf.copy(), InGrace: inGrace}, nil
}

// RevokeFamily implements Store.
func (m *Memory) RevokeFamily(_ context.Context, familyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mf, ok := m.families[familyID]; ok {
		mf.revoked = true
	}
	return nil
}

// RevokeSubject implements Store.
func (m *Memory) RevokeSubject(_ context.Context, subject string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, mf := range m.bySubject[subject] {
		mf.revoked = true
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

// Len returns the number of refresh tokens held, consumed ones included.
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
		mf := heap.Pop(&m.expiry).(*memFamily)
		for _, id := range mf.tokens {
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
}

// familyHeap is a min-heap of families ordered by absolute expiry.
type familyHeap []*memFamily

func (h familyHeap) Len() int           { return len(h) }
func (h familyHeap) Less(i, j int) bool { return h[i].ExpiresAt.Before(h[j].ExpiresAt) }
func (h familyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *familyHeap) Push(x any)        { *h = append(*h, x.(*memFamily)) }
func (h *familyHeap) Pop() any {
	old := *h
	mf := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return mf
}
