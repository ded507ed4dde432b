// Package racymap is a cache whose map has no lock: Set and Get race.
package racymap

// Cache maps names to scores. It is NOT safe for concurrent use.
type Cache struct {
	m map[string]int
}

// New returns an empty cache.
func New() *Cache { return &Cache{m: map[string]int{}} }

// Set stores v under k.
func (c *Cache) Set(k string, v int) { c.m[k] = v }

// Get returns the value stored under k.
func (c *Cache) Get(k string) int { return c.m[k] }
