package mismatched_unlock

import (
	"sync"
)

// The documentation's example.
type Stats struct {
	mu sync.RWMutex
	m  map[string]int
}

func (s *Stats) Get(k string) int {
	s.mu.RLock()
	defer s.mu.Unlock() // want `s.mu was locked with RLock\(\) at line 14 but is released with Unlock\(\); use RUnlock\(\)`
	return s.m[k]
}

// The documentation's "use instead".
func (s *Stats) GetFixed(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[k]
}

// Write-locked, read-unlocked.
func (s *Stats) Set(k string, v int) {
	s.mu.Lock()
	s.m[k] = v
	s.mu.RUnlock() // want `s.mu was locked with Lock\(\) at line 28 but is released with RUnlock\(\); use Unlock\(\)`
}

// On every path of a switch.
func (s *Stats) Kind(k string) string {
	switch {
	case k == "":
		s.mu.RLock()
	default:
		s.mu.RLock()
	}
	n := s.m[k]
	s.mu.Unlock() // want `s.mu was locked with RLock\(\) at line 37 but is released with Unlock\(\)`
	if n > 0 {
		return "some"
	}
	return "none"
}

// In a deferred closure.
func (s *Stats) Sum() int {
	s.mu.RLock()
	defer func() {
		s.mu.Unlock() // want `s.mu was locked with RLock\(\) at line 51`
	}()
	t := 0
	for _, v := range s.m {
		t += v
	}
	return t
}

// Correct pairs, including an upgrade from a read lock to a write lock.
func (s *Stats) Ensure(k string) int {
	s.mu.RLock()
	if v, ok := s.m[k]; ok {
		s.mu.RUnlock()
		return v
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = 1
	return 1
}

// Held in different modes on different paths: not reported.
func (s *Stats) Either(write bool) {
	if write {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	s.m = nil
	if write {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
}

// A plain Mutex has one mode.
type Plain struct {
	mu sync.Mutex
	n  int
}

func (p *Plain) Inc() {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
}

// The read locker of an RWMutex is a sync.Locker whose Lock is RLock.
func (s *Stats) readers() int {
	l := s.mu.RLocker()
	l.Lock()
	defer l.Unlock()
	return len(s.m)
}
