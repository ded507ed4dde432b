package lock_not_released

import "testing"

// t.Fatal ends the goroutine and runs deferred calls: it is not a return.
func TestStore(t *testing.T) {
	s := &Store{items: map[string]int{}}
	s.mu.Lock()
	if s.items == nil {
		t.Fatal("no items")
	}
	s.mu.Unlock()
}

func helper(t *testing.T, s *Store) int {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 18`
	if len(s.items) == 0 {
		return 0
	}
	t.Helper()
	n := len(s.items)
	s.mu.Unlock()
	return n
}
