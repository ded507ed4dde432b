package lock_not_released

import (
	"errors"
	s "sync"
)

var errMissing = errors.New("missing")

type Cache struct {
	mu s.Mutex
	m  map[string]int
}

func (c *Cache) Get(k string) (int, error) {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 19 \(when .!ok. at line 18\)`
	v, ok := c.m[k]
	if !ok {
		return 0, errMissing
	}
	c.mu.Unlock()
	return v, nil
}

// Deferred unlock: fine.
func (c *Cache) GetDeferred(k string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if !ok {
		return 0, errMissing
	}
	return v, nil
}

// Returns holding the lock on purpose; only the error path unlocks.
func (c *Cache) lockIfOpen() error {
	c.mu.Lock()
	if c.m == nil {
		c.mu.Unlock()
		return errMissing
	}
	return nil
}

// Conditional locking is correlated: not reported.
func (c *Cache) maybe(locked bool) int {
	if locked {
		c.mu.Lock()
	}
	n := len(c.m)
	if locked {
		c.mu.Unlock()
	}
	return n
}
