package double_lock

import (
	"sync"
)

// The documentation's example.
type Store struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *Store) full() bool { return len(s.m) > 100 }

func (s *Store) evict() {
	for k := range s.m {
		delete(s.m, k)
		return
	}
}

func (s *Store) Put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full() {
		s.mu.Lock() // want `s.mu.Lock\(\) while s.mu is already locked at line 23: Go mutexes are not reentrant, this blocks forever`
		s.evict()
		s.mu.Unlock()
	}
	s.m[k] = v
}

// The documentation's "use instead".
func (s *Store) PutFixed(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full() {
		s.evict()
	}
	s.m[k] = v
}

type Cache struct {
	mu   sync.RWMutex
	data map[string]int
}

// A read lock, then the write lock.
func (c *Cache) Upgrade(k string) {
	c.mu.RLock()
	if _, ok := c.data[k]; !ok {
		c.mu.Lock() // want `c.mu.Lock\(\) while c.mu is already read-locked at line 50: Go mutexes are not reentrant`
		c.data[k] = 0
		c.mu.Unlock()
	}
	c.mu.RUnlock()
}

// A recursive read lock.
func (c *Cache) Both(a, b string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	x := c.data[a]
	c.mu.RLock() // want `c.mu is read-locked again while this function holds its read lock at line 61: a recursive RLock deadlocks when a writer is waiting`
	y := c.data[b]
	c.mu.RUnlock()
	return x + y
}

// Write-locked, then read-locked.
func (c *Cache) Reset() {
	c.mu.Lock()
	c.data = nil
	c.mu.RLock() // want `c.mu.RLock\(\) while c.mu is already locked at line 72`
	c.mu.RUnlock()
	c.mu.Unlock()
}

// Unlock, then lock again: fine.
func (c *Cache) Relock() {
	c.mu.Lock()
	c.data = nil
	c.mu.Unlock()
	c.mu.Lock()
	c.data = map[string]int{}
	c.mu.Unlock()
}

// Held on only one path: not reported.
func (c *Cache) maybe(held bool) {
	if !held {
		c.mu.Lock()
	}
	c.data = nil
	c.mu.Lock() // a bug when !held, but the lock is not held on every path
	c.mu.Unlock()
}

// Two different locks.
func (c *Cache) two(d *Cache) {
	c.mu.Lock()
	d.mu.Lock()
	d.mu.Unlock()
	c.mu.Unlock()
}
