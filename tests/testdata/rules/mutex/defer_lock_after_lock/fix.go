package defer_lock_after_lock

import "sync"

// Fixtures for `goconc fix`: fix.go.golden holds this file with the fixes applied.

type fixStore struct {
	mu sync.RWMutex
	m  map[string]int
}

// Fixed: Unlock after Lock.
func (s *fixStore) set(k string, v int) {
	s.mu.Lock()
	defer s.mu.Lock() // want `did you mean defer s.mu.Unlock\(\)\?`
	s.m[k] = v
}

// Fixed: RUnlock after RLock.
func (s *fixStore) get(k string) int {
	s.mu.RLock()
	defer s.mu.RLock() // want `did you mean defer s.mu.RUnlock\(\)\?`
	return s.m[k]
}

// Fixed: RUnlock after RLock, in a deferred closure.
func (s *fixStore) size() int {
	s.mu.RLock()
	defer func() {
		s.mu.Lock() // want `did you mean defer s.mu.RUnlock\(\)\?`
	}()
	return len(s.m)
}

// Not fixed: the function releases the lock itself, so the deferred Lock may be what it
// means (give the lock back to the caller on return).
func (s *fixStore) reset() {
	s.mu.Lock()
	defer s.mu.Lock() // want `did you mean defer s.mu.Unlock\(\)\?`
	s.m = nil
	s.mu.Unlock()
	count++
}

type handoff struct {
	mu sync.Mutex
	n  int
}

func release(l sync.Locker) { l.Unlock() }

// Not reported: the lock leaves the function as a sync.Locker and is released there; the
// deferred Lock takes it back for the caller (Unlock there would crash).
func (h *handoff) viaLocker() {
	h.mu.Lock()
	defer h.mu.Lock()
	release(&h.mu)
	h.n++
}

// Not reported: the same through a function the analysis cannot see into.
func (h *handoff) viaFunc(rel func(sync.Locker)) {
	h.mu.Lock()
	defer h.mu.Lock()
	rel(&h.mu)
	h.n++
}

// Not reported: a method value of the lock releases it.
func (h *handoff) viaValue() {
	h.mu.Lock()
	defer h.mu.Lock()
	unlock := h.mu.Unlock
	unlock()
	h.n++
}

// Reported but not fixed: a helper of the package releases the lock through another helper.
func (h *handoff) viaHelper() {
	h.mu.Lock()
	defer h.mu.Lock() // want `did you mean defer h.mu.Unlock\(\)\?`
	h.drop()
	h.n++
}

func (h *handoff) drop() { h.dropLocked() }

func (h *handoff) dropLocked() { h.mu.Unlock() }
