package lock_not_released

import "sync"

// A local type with its own Lock and Unlock methods is not a sync lock.
type spin struct{ held bool }

func (s *spin) Lock()   { s.held = true }
func (s *spin) Unlock() { s.held = false }

func useSpin(ok bool) int {
	sync := &spin{}
	sync.Lock()
	if !ok {
		return 0
	}
	sync.Unlock()
	return 1
}

// A struct embedding a mutex but defining its own Lock is not known either.
type Logged struct {
	sync.Mutex
	n int
}

func (l *Logged) Lock() {
	l.n++
	l.Mutex.Lock()
}

func useLogged(l *Logged, ok bool) int {
	l.Lock()
	if !ok {
		return 0
	}
	l.Unlock()
	return 1
}

// A local mu hides the package-level one: their keys are the same text, but the inner
// block's lock is the one left held.
var mu sync.Mutex

func shadowed(ok bool) int {
	mu.Lock()
	mu.Unlock()
	{
		var other sync.Mutex
		mu := &other
		mu.Lock() // want `lock on mu is not released on the path that returns at line 53`
		if !ok {
			return 0
		}
		mu.Unlock()
	}
	return 1
}

// A local variable shadowing the field's name is a different lock.
type Meter struct {
	mu sync.Mutex
	n  int
}

func (m *Meter) Add(d int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	var mu sync.Mutex
	mu.Lock() // want `lock on mu is not released on the path that returns at line 72`
	if d < 0 {
		return m.n
	}
	m.n += d
	mu.Unlock()
	return m.n
}
