package inconsistent_field_locking

import (
	"sort"
	"sync"
)

type Store struct {
	mu   sync.Mutex
	keys []string
	size int
}

func (s *Store) Add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
	s.size++
}

func (s *Store) Sorted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	// a callback run under the caller's lock
	sort.Slice(s.keys, func(i, j int) bool { return s.keys[i] < s.keys[j] })
	return s.keys
}

func (s *Store) Size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// Lock must be held.
func (s *Store) sizeDocumented() int { return s.size }

func (s *Store) sizeLocked() int { return s.size }

// An unexported helper nothing calls: its callers are not known.
func (s *Store) unused() int { return s.size }

// Checks a field before taking the lock: left out (the function takes the lock).
func (s *Store) Grow(k string) {
	if s.size > 100 {
		return
	}
	s.mu.Lock()
	s.keys = append(s.keys, k)
	s.mu.Unlock()
}

// Only two guarded functions: no clear convention.
type Pair struct {
	mu   sync.Mutex
	a, b int
}

func (p *Pair) SetA(v int) { p.mu.Lock(); p.a = v; p.mu.Unlock() }
func (p *Pair) GetA() int  { p.mu.Lock(); defer p.mu.Unlock(); return p.a }
func (p *Pair) PeekA() int { return p.a }

// The goroutines run while Refresh holds the lock, which waits for them before letting go.
func (s *Store) Refresh(parts []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.size += len(p)
		}()
	}
	wg.Wait()
}

// Methods stored as handlers and called under the lock: named elsewhere, so not entry points.
type Machine struct {
	mu       sync.Mutex
	state    string
	handlers map[string]func()
}

func (m *Machine) Start() { m.state = "running" }
func (m *Machine) Stop()  { m.state = "stopped" }

func (m *Machine) Fire(ev string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handlers = map[string]func(){"start": m.Start, "stop": m.Stop}
	if h := m.handlers[ev]; h != nil {
		h()
	}
}

func (m *Machine) State() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

func (m *Machine) Reset() {
	m.mu.Lock()
	m.state = ""
	m.mu.Unlock()
}

// A type that embeds a pointer to itself: no lock is found through it, and nothing loops.
type Tree struct {
	*Tree
	mu sync.Mutex
	n  int
}

func (t *Tree) Size() int { return t.n }
