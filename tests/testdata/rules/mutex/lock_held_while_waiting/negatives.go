package lock_held_while_waiting

import (
	"context"
	"sync"
)

// The lock is released before the wait.
func (s *Server) StopClean() {
	s.mu.Lock()
	close(s.quit)
	s.mu.Unlock()
	<-s.done
}

// The goroutines take another lock, or the lock of another object, or take it only after
// they are done.
type Tree struct {
	mu       sync.Mutex
	statsMu  sync.Mutex
	wg       sync.WaitGroup
	children []*Tree
	stats    int
	val      int
}

func (t *Tree) Refresh() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.children {
		t.wg.Add(1)
		go func(c *Tree) {
			defer t.wg.Done()
			c.mu.Lock()
			c.val++
			c.mu.Unlock()
			t.statsMu.Lock()
			t.stats++
			t.statsMu.Unlock()
		}(c)
	}
	t.wg.Wait()
}

func (t *Tree) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		n = len(t.children)
		wg.Done()
		t.mu.Lock() // after Done: the wait is over by then
		t.val = n
		t.mu.Unlock()
	}()
	wg.Wait()
	return n
}

// A read lock held while a reader waits for it: not reported (it deadlocks only when a
// writer queues in between).
type Cache struct {
	mu   sync.RWMutex
	data map[string]string
}

func (c *Cache) Snapshot() map[string]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(chan map[string]string)
	go func() {
		c.mu.RLock()
		defer c.mu.RUnlock()
		m := make(map[string]string, len(c.data))
		for k, v := range c.data {
			m[k] = v
		}
		out <- m
	}()
	return <-out
}

// Another sender can end the wait without the lock; a select may take another case.
type Feed struct {
	mu     sync.Mutex
	events chan int
	n      int
}

func (f *Feed) producer() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	f.events <- 1
}

func (f *Feed) heartbeat() {
	f.events <- 0
}

func (f *Feed) Next(ctx context.Context) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := <-f.events
	select {
	case w := <-f.events:
		v += w
	case <-ctx.Done():
	}
	return v
}

// The other side sends while holding the lock (into a buffered channel, after setting state
// the waiter checks): whether the value is already there is a matter of that state.
type want struct {
	mu     sync.Mutex
	done   bool
	result chan int
}

func (w *want) deliver(v int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	w.result <- v
}

func (w *want) cancel() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return <-w.result
	}
	return 0
}

// A goroutine that counts itself under the lock: while it waits for the lock it is not
// counted yet, so Wait does not wait for it.
type Monitor struct {
	mu sync.Mutex
	wg sync.WaitGroup
}

func (m *Monitor) begin() {
	m.mu.Lock()
	m.wg.Add(1)
	m.mu.Unlock()
}

func (m *Monitor) run() {
	m.begin()
	defer m.wg.Done()
}

func (m *Monitor) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wg.Wait()
}

// The goroutines were let through before the lock was taken: wg.Wait() first, then the
// buffered results are read under the lock.
type Agg struct {
	mu  sync.Mutex
	sum int
}

func (a *Agg) Sum(n int) int {
	results := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			a.mu.Lock()
			a.sum += i
			a.mu.Unlock()
			results <- i
		}(i)
	}
	wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	t := 0
	for i := 0; i < n; i++ {
		t += <-results
	}
	return t
}
