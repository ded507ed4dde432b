package double_lock

import (
	s "sync"
)

// An embedded mutex with an aliased import: c.Lock and c.Mutex.Lock are the same lock.
type Counter struct {
	s.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	c.n++
	c.Mutex.Lock() // want `c.Mutex.Lock\(\) while c.Mutex is already locked at line 14`
	c.Unlock()
}

// Through a pointer to a lock-holding struct embedded in another.
type Named struct {
	*Counter
	name string
}

func (n Named) Rename(to string) {
	n.Lock()
	n.name = to
	n.Counter.Lock() // want `n.Counter.Lock\(\) while n.Counter is already locked at line 27`
	n.Unlock()
}

// A sync.Locker, and a pointer to a lock under another name.
func locker(l s.Locker) {
	l.Lock()
	l.Lock() // want `l.Lock\(\) while l is already locked at line 35`
}

func alias(c *Counter) {
	mu := &c.Mutex
	mu.Lock()
	c.Lock() // want `c.Lock\(\) while c is already locked at line 41`
	mu.Unlock()
}

// Arrays of locks: a constant index is one lock, different indexes are different locks.
type Shards struct {
	locks [4]s.Mutex
}

func (sh *Shards) Pair(i, j int) {
	sh.locks[i].Lock()
	sh.locks[j].Lock()
	sh.locks[j].Unlock()
	sh.locks[i].Unlock()
	sh.locks[0].Lock()
	sh.locks[0].Lock() // want `sh.locks\[0\].Lock\(\) while sh.locks\[0\] is already locked at line 56`
}

// Shadowing: a local mu hides the field's name, and a local sync hides the package.
type Meter struct {
	mu s.Mutex
}

func (m *Meter) Shadow() {
	m.mu.Lock()
	var mu s.Mutex
	mu.Lock()
	mu.Unlock()
	m.mu.Unlock()
}

type fake struct{}

func (fake) Lock()   {}
func (fake) Unlock() {}

func localSync() {
	sync := fake{}
	sync.Lock()
	sync.Lock()
}

var mu s.Mutex

func redeclared() {
	mu.Lock()
	{
		mu := &s.Mutex{}
		mu.Lock()
		mu.Unlock()
	}
	mu.Unlock()
}

// Generic lockers are unknown.
func generic[L s.Locker](l L) {
	l.Lock()
	l.Lock()
}
