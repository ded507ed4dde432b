package lock_not_released

import "sync"

// A generic struct holding a lock: its lock is tracked whatever the type argument.
type Box[T any] struct {
	mu  sync.Mutex
	val T
	set bool
}

func (b *Box[T]) Get() (T, bool) {
	b.mu.Lock() // want `lock on b.mu is not released on the path that returns at line 16 \(when .!b.set. at line 14\)`
	if !b.set {
		var zero T
		return zero, false
	}
	v := b.val
	b.mu.Unlock()
	return v, true
}

// Nested structs.
type inner struct {
	mu sync.RWMutex
	n  int
}

type outer struct {
	in   inner
	name string
}

func (o *outer) N(strict bool) int {
	o.in.mu.RLock() // want `read lock on o.in.mu is not released on the path that returns at line 37 \(when .strict && o.in.n < 0. at line 36\)`
	if strict && o.in.n < 0 {
		return -1
	}
	n := o.in.n
	o.in.mu.RUnlock()
	return n
}
