// Package cache keeps values by key.
package cache

import "sync"

// Cache maps keys to values. It is safe for concurrent use by multiple goroutines.
type Cache struct {
	mu    sync.Mutex
	items map[string]string
	hits  int
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{items: make(map[string]string)}
}

// Get returns the value of k.
func (c *Cache) Get(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	return c.items[k]
}

// Put sets the value of k.
func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	c.items[k] = v
	c.mu.Unlock()
}

// Delete removes k.
func (c *Cache) Delete(k string) {
	c.mu.Lock()
	delete(c.items, k)
	c.mu.Unlock()
}

// Len says how many keys the cache holds.
func (c *Cache) Len() int {
	return len(c.items)
}

// Hits says how many lookups the cache served.
func (c *Cache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}
