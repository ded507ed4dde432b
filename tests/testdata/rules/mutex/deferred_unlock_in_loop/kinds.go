package deferred_unlock_in_loop

import (
	s "sync"
)

// An embedded mutex, with an aliased import.
type Queue struct {
	s.Mutex
	items []int
}

func (q *Queue) Drain(n int) {
	for i := 0; i < n; i++ {
		q.Lock()
		defer q.Unlock() // want `defer q.Unlock\(\) inside a loop`
		q.items = q.items[1:]
	}
}

// A sync.Locker.
func each(l s.Locker, fs []func()) {
	for _, f := range fs {
		l.Lock()
		defer l.Unlock() // want `defer l.Unlock\(\) inside a loop`
		f()
	}
}

// Types that are not sync locks, a local sync, and type parameters.
type fake struct{}

func (fake) Lock()   {}
func (fake) Unlock() {}

func localSync(n int) {
	sync := fake{}
	for i := 0; i < n; i++ {
		sync.Lock()
		defer sync.Unlock()
	}
}

func generic[L s.Locker](l L, n int) {
	for i := 0; i < n; i++ {
		l.Lock()
		defer l.Unlock()
	}
}

// A local mu declared in the loop body is a new mutex each iteration.
func fresh(n int) {
	for i := 0; i < n; i++ {
		var mu s.Mutex
		mu.Lock()
		defer mu.Unlock()
	}
}
