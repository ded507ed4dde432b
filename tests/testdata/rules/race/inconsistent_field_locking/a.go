package inconsistent_field_locking

import "sync"

type Cache struct {
	mu    sync.Mutex
	items map[string]string
	hits  int
	name  string
}

func NewCache(name string) *Cache {
	c := &Cache{items: map[string]string{}}
	c.name = name
	return c
}

func (c *Cache) Get(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	return c.items[k]
}

func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	c.items[k] = v
	c.mu.Unlock()
}

// Written under the lock.
func (c *Cache) Reset() {
	c.mu.Lock()
	c.items = map[string]string{}
	c.hits = 0
	c.mu.Unlock()
}

// Stats reads it under the lock.
func (c *Cache) Stats() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, len(c.items)
}

// Hits forgot the lock; written by Get and Reset under it.
func (c *Cache) Hits() int {
	return c.hits // want `c.hits is read here without c.mu, which guards Cache.hits in 3 other functions`
}

func (c *Cache) Delete(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(k)
}

// A helper its callers call under c.mu: not counted either way.
func (c *Cache) remove(k string) {
	delete(c.items, k)
}

// A getter that forgot the lock.
func (c *Cache) Len() int {
	return len(c.items) // want `c.items is read here without c.mu, which guards Cache.items in 4 other functions: this races with their writes`
}

// A goroutine reads the field after its starter let go of the lock.
func (c *Cache) Snapshot(out chan<- int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	go func() {
		out <- len(c.items) // want `c.items is read here without c.mu`
	}()
}

// Name is set once by the constructor and only read: no lock needed.
func (c *Cache) Name() string { return c.name }

type Counter struct {
	sync.RWMutex
	n int
}

func (k *Counter) Inc()     { k.Lock(); k.n++; k.Unlock() }
func (k *Counter) Dec()     { k.Lock(); defer k.Unlock(); k.n-- }
func (k *Counter) Get() int { k.RLock(); defer k.RUnlock(); return k.n }
func (k *Counter) Peek() int {
	return k.n // want `k.n is read here without k.RWMutex, which guards Counter.n in 3 other functions`
}
