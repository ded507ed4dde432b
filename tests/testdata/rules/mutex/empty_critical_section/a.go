package empty_critical_section

import (
	"sync"
)

type Service struct {
	mu    sync.RWMutex
	count int
}

// The documentation's example.
func (s *Service) Hit() {
	s.mu.Lock() // want `empty critical section: s.mu.Lock\(\) is immediately followed by s.mu.Unlock\(\); move the code that needs the lock between them`
	s.mu.Unlock()
	s.count++
}

// The documentation's "use instead".
func (s *Service) HitFixed() {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
}

func (s *Service) Peek() int {
	s.mu.RLock() // want `empty critical section: s.mu.RLock\(\) is immediately followed by s.mu.RUnlock\(\)`
	s.mu.RUnlock()
	return s.count
}

// Deliberate barriers, explained by a comment, are not reported.
func (s *Service) Barrier() {
	// Wait for any writer that is still running.
	s.mu.Lock()
	s.mu.Unlock()
}

func (s *Service) BarrierInside() {
	s.mu.Lock()
	// nothing to do: wait for the current holder
	s.mu.Unlock()
}

// A comment trailing the Lock is about the lock, not an explanation of an empty section.
func (s *Service) Trailing() {
	s.mu.Lock() // want `empty critical section: s.mu.Lock\(\) is immediately followed by s.mu.Unlock\(\)`
	s.mu.Unlock()
}

func (s *Service) BarrierInBlock(wait bool) {
	if wait {
		// Let readers drain before we go on.

		s.count = 0

		s.mu.Lock()
		s.mu.Unlock()
	}
}

// Not empty, or not the same lock.
func (s *Service) Other(t *Service) {
	s.mu.Lock()
	t.mu.Unlock()
	s.mu.Unlock()
	t.mu.Lock()
}

// Unlock then Lock lets others in: a different thing.
func (s *Service) Yield() {
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
	s.mu.Lock()
	s.count--
	s.mu.Unlock()
}

// Mismatched modes are mismatched-unlock's business.
func (s *Service) Mixed() {
	s.mu.RLock()
	s.mu.Unlock()
}

// A deferred unlock is not an empty section.
func (s *Service) Deferred() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}
