package double_lock

import (
	"sync"
)

type Table struct {
	mu   sync.Mutex
	rows [][]int
	cond *sync.Cond
}

// Switch and select paths.
func (t *Table) Switch(k int) {
	t.mu.Lock()
	switch k {
	case 0:
		t.mu.Unlock()
	case 1:
		t.mu.Lock() // want `t.mu.Lock\(\) while t.mu is already locked at line 15`
	default:
		t.rows = nil
		t.mu.Unlock()
	}
}

func (t *Table) Select(ch <-chan int, done <-chan struct{}) {
	t.mu.Lock()
	select {
	case v := <-ch:
		t.rows = append(t.rows, []int{v})
		t.mu.Lock() // want `t.mu.Lock\(\) while t.mu is already locked at line 28`
	case <-done:
	}
	t.mu.Unlock()
}

// Labeled break and continue.
func (t *Table) Labeled() {
	t.mu.Lock()
rows:
	for _, r := range t.rows {
		for _, v := range r {
			if v < 0 {
				continue rows
			}
			if v == 0 {
				break rows
			}
		}
	}
	t.mu.Lock() // want `t.mu.Lock\(\) while t.mu is already locked at line 40`
	t.mu.Unlock()
}

// A goto back to a label that locks: released on every path that jumps.
func (t *Table) Retry() {
again:
	t.mu.Lock()
	if len(t.rows) == 0 {
		t.mu.Unlock()
		goto again
	}
	t.mu.Unlock()
}

// Locking again on the next iteration of a loop: not proven held on every path.
func (t *Table) Loop() {
	for i := 0; i < 3; i++ {
		t.mu.Lock() // todo-want `already locked`
		t.rows = nil
	}
}

// A Cond's Wait releases and re-takes the lock.
func (t *Table) Wait() {
	t.mu.Lock()
	for len(t.rows) == 0 {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

// Hand-over-hand: the key changes between the two locks.
type node struct {
	mu   sync.Mutex
	next *node
}

func walk(n *node) {
	n.mu.Lock()
	for n.next != nil {
		next := n.next
		next.mu.Lock()
		n.mu.Unlock()
		n = next
	}
	n.mu.Unlock()
}

func rows(locks []sync.Mutex, i int) {
	locks[i].Lock()
	i++
	locks[i].Lock()
	locks[i].Unlock()
	locks[i-1].Unlock()
}

// A helper of this package that releases the lock.
func (t *Table) unlock() { t.mu.Unlock() }

func (t *Table) viaHelper() {
	t.mu.Lock()
	t.unlock()
	t.mu.Lock()
	t.mu.Unlock()
}

// A helper that takes the lock itself is followed through its summary.
func (t *Table) lock() { t.mu.Lock() }

func (t *Table) viaLockHelper() {
	t.mu.Lock()
	t.lock() // want `t.lock\(\) locks t.mu while t.mu is already locked at line 123`
	t.mu.Unlock()
}

// Goroutines and closures have their own lock state.
func (t *Table) Closures(done chan struct{}) {
	t.mu.Lock()
	go func() {
		t.mu.Lock()
		t.rows = nil
		t.mu.Unlock()
		close(done)
	}()
	f := func() {
		t.mu.Lock()
		t.mu.Lock() // want `t.mu.Lock\(\) while t.mu is already locked at line 138`
	}
	t.mu.Unlock()
	<-done
	f()
}

// TryLock does not block.
func (t *Table) Try() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mu.TryLock()
}

// An Unlock used as a function value.
func (t *Table) Callback(run func(func())) {
	t.mu.Lock()
	run(t.mu.Unlock)
	t.mu.Lock()
	t.mu.Unlock()
}
