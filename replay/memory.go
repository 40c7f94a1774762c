package replay

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// defaultCapacity is the number of live entries a Memory store holds by
// default. An entry costs roughly 100 bytes (key digest, expiry, map and
// heap slots), so the default bounds the store near 100 MiB.
const defaultCapacity = 1 << 20

// Memory is an in-process Store, bounded in entries. It evicts only expired
// entries; when every entry is live it refuses new pairs with ErrFull. It is
// safe for concurrent use.
type Memory struct {
	mu       sync.Mutex
	now      func() time.Time
	capacity int
	byKey    map[[32]byte]*entry
	expiry   expiryHeap
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithCapacity sets the maximum number of live entries (default
// 1,048,576). Values below 1 are treated as 1.
func WithCapacity(n int) MemoryOption {
	return func(m *Memory) { m.capacity = max(n, 1) }
}

// WithClock sets the clock used to decide expiry (default, and for nil:
// time.Now).
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// NewMemory returns an empty Memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{now: time.Now, capacity: defaultCapacity, byKey: make(map[[32]byte]*entry)}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Check implements Store. It never blocks on I/O, so ctx is not consulted.
// A pair whose expires has already passed is remembered for a minimal time
// (1 ms) rather than not at all.
func (m *Memory) Check(_ context.Context, issuer, id string, expires time.Time) error {
	k := Key(issuer, id)
	now := m.now()
	until := now.Add(ttl(now, expires)).UnixNano()

	m.mu.Lock()
	defer m.mu.Unlock()
	m.evictExpired(now.UnixNano())
	if _, seen := m.byKey[k]; seen {
		return ErrReplayed
	}
	if len(m.byKey) >= m.capacity {
		return ErrFull
	}
	e := &entry{key: k, until: until}
	heap.Push(&m.expiry, e)
	m.byKey[k] = e
	return nil
}

// Len returns the number of entries currently held, expired ones included
// until the next Check evicts them.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byKey)
}

// evictExpired drops every entry whose expiry is at or before now. The heap
// keeps the earliest expiry on top, so each call costs O(log n) per evicted
// entry and nothing when none has expired.
func (m *Memory) evictExpired(now int64) {
	for len(m.expiry) > 0 && m.expiry[0].until <= now {
		e := heap.Pop(&m.expiry).(*entry)
		delete(m.byKey, e.key)
	}
}

// entry is one remembered pair; until is its expiry in Unix nanoseconds.
type entry struct {
	key   [32]byte
	until int64
}

// expiryHeap is a min-heap of entries ordered by expiry.
type expiryHeap []*entry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until < h[j].until }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
