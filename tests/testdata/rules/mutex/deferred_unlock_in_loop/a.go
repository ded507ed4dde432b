package deferred_unlock_in_loop

import (
	"sync"
)

var mu sync.Mutex

func process(item string) { _ = item }

// The documentation's example.
func docExample(items []string) {
	for _, item := range items {
		mu.Lock()
		defer mu.Unlock() // want `defer mu.Unlock\(\) inside a loop runs only when the function returns: mu stays locked into the next iteration; unlock at the end of the iteration, or move the body into a function`
		process(item)
	}
}

// The documentation's "use instead".
func docUseInstead(items []string) {
	for _, item := range items {
		func() {
			mu.Lock()
			defer mu.Unlock()
			process(item)
		}()
	}
}

type Cache struct {
	mu   sync.RWMutex
	data map[string]int
}

// A read lock, a condition loop, nested loops.
func (c *Cache) Sum(keys []string) int {
	t := 0
	for i := 0; i < len(keys); i++ {
		c.mu.RLock()
		defer c.mu.RUnlock() // want `defer c.mu.RUnlock\(\) inside a loop`
		t += c.data[keys[i]]
	}
	for _, row := range [][]string{keys} {
		for _, k := range row {
			c.mu.RLock()
			defer c.mu.RUnlock() // want `defer c.mu.RUnlock\(\) inside a loop`
			t += c.data[k]
		}
	}
	return t
}

// A deferred closure that unlocks.
func (c *Cache) Fill(keys []string) {
	for _, k := range keys {
		c.mu.Lock()
		defer func() { // want `defer c.mu.Unlock\(\) inside a loop`
			c.mu.Unlock()
		}()
		c.data[k] = 1
	}
}

// Switch and select inside the loop.
func (c *Cache) Events(ch <-chan string, done <-chan struct{}) {
	for {
		select {
		case k := <-ch:
			c.mu.Lock()
			defer c.mu.Unlock() // want `defer c.mu.Unlock\(\) inside a loop`
			c.data[k]++
		case <-done:
			return
		}
	}
}

func (c *Cache) Kinds(keys []string) {
	for _, k := range keys {
		switch k {
		case "":
			continue
		default:
			c.mu.Lock()
			defer c.mu.Unlock() // want `defer c.mu.Unlock\(\) inside a loop`
			c.data[k] = 0
		}
	}
}

// A labeled continue goes round again.
func (c *Cache) Labeled(rows [][]string) {
outer:
	for _, row := range rows {
		c.mu.Lock()
		defer c.mu.Unlock() // want `defer c.mu.Unlock\(\) inside a loop`
		for _, k := range row {
			if k == "" {
				continue outer
			}
		}
		return
	}
}

// The loop never comes back to the defer: it returns or breaks right after.
func (c *Cache) First(keys []string) int {
	for _, k := range keys {
		c.mu.RLock()
		defer c.mu.RUnlock()
		return c.data[k]
	}
	return 0
}

func (c *Cache) Once(keys []string) {
	for range keys {
		c.mu.Lock()
		defer c.mu.Unlock()
		break
	}
}

func (c *Cache) LabeledBreak(rows [][]string) {
outer:
	for range rows {
		for {
			c.mu.Lock()
			defer c.mu.Unlock()
			break outer
		}
	}
}

// A different mutex each iteration: locking them all until return is intended.
type shard struct {
	mu sync.Mutex
	n  int
}

func lockAll(shards []*shard) int {
	t := 0
	for _, s := range shards {
		s.mu.Lock()
		defer s.mu.Unlock()
		t += s.n
	}
	return t
}

func lockAllIndexed(shards []shard) {
	for i := range shards {
		shards[i].mu.Lock()
		defer shards[i].mu.Unlock()
	}
}

func handOverHand(s *shard, parents map[*shard]*shard) {
	for p := s; p != nil; p = parents[p] {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
}

// A goroutine or function literal in the loop has its own defer.
func (c *Cache) Workers(keys []string, wg *sync.WaitGroup) {
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.mu.Lock()
			defer c.mu.Unlock()
			c.data[k] = 0
		}()
	}
}

// A goto back to the lock is a loop too, but not a for statement.
func (c *Cache) Retry(k string) {
again:
	c.mu.Lock()
	defer c.mu.Unlock() // todo-want `inside a loop`
	if c.data[k] == 0 {
		c.data[k] = 1
		goto again
	}
}
