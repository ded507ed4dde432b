// Package unlockunlocked releases a mutex it does not hold.
package unlockunlocked

import "sync"

// Store keeps one value.
type Store struct {
	mu sync.Mutex
	v  int
}

// Reset sets the value to zero; the early return path unlocks twice.
func (s *Store) Reset() {
	s.mu.Lock()
	if s.v == 0 {
		s.mu.Unlock()
	}
	s.v = 0
	s.mu.Unlock()
}
