// Package buggy is a small program with the concurrency bugs goconc finds.
package buggy

import (
	"errors"
	"sync"
)

var errNotFound = errors.New("not found")

// Cache is a map guarded by a mutex.
type Cache struct {
	mu sync.RWMutex
	m  map[string]string
}

// Get forgets to unlock on the error path.
func (c *Cache) Get(k string) (string, error) {
	c.mu.Lock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound
	}
	c.mu.Unlock()
	return v, nil
}

// Len releases a read lock with Unlock.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Snapshot copies the cache, lock included.
func (c Cache) Snapshot() map[string]string {
	return c.m
}

// FetchAll counts its goroutines from inside them, and skips Done on errors.
func FetchAll(keys []string, fetch func(string) (string, error)) []string {
	var wg sync.WaitGroup
	out := make([]string, len(keys))
	for i, k := range keys {
		go func() {
			wg.Add(1)
			v, err := fetch(k)
			if err != nil {
				return
			}
			out[i] = v
			wg.Done()
		}()
	}
	wg.Wait()
	return out
}
