package lock_not_released

import (
	"os"
	s "sync"
)

// An embedded mutex, through an aliased import.
type Queue struct {
	s.Mutex
	items []int
}

func (q *Queue) Pop() (int, bool) {
	q.Lock() // want `lock on q is not released on the path that returns at line 17 \(when .len\(q.items\) == 0. at line 16\): add q.Unlock\(\) before that return`
	if len(q.items) == 0 {
		return 0, false
	}
	v := q.items[0]
	q.items = q.items[1:]
	q.Mutex.Unlock()
	return v, true
}

// A mutex embedded in an embedded struct: q.Lock() and q.Queue.Mutex.Unlock() are one lock.
type PriorityQueue struct {
	*Queue
	prio []int
}

func (p *PriorityQueue) Push(v, prio int) bool {
	p.Lock()
	if prio < 0 {
		p.Queue.Mutex.Unlock()
		return false
	}
	p.items = append(p.items, v)
	p.prio = append(p.prio, prio)
	p.Queue.Unlock()
	return true
}

func (p *PriorityQueue) Peek() int {
	p.Queue.Lock() // want `lock on p.Queue is not released on the path that returns at line 46`
	if len(p.prio) == 0 {
		return -1
	}
	v := p.prio[0]
	p.Unlock()
	return v
}

// A sync.Locker parameter.
func guarded(l s.Locker, f func() error) error {
	l.Lock() // want `lock on l is not released on the path that returns at line 57`
	if err := f(); err != nil {
		return err
	}
	l.Unlock()
	return nil
}

// A pointer to a mutex, and a local alias of a field.
func viaPointer(mu *s.Mutex, ok bool) {
	mu.Lock() // want `lock on mu is not released on the path that returns at line 67`
	if !ok {
		return
	}
	mu.Unlock()
}

type Pool struct {
	mu   s.Mutex
	free []int
}

func (p *Pool) Get() int {
	mu := &p.mu
	mu.Lock()
	if len(p.free) == 0 {
		p.mu.Unlock() // the same lock as mu
		return -1
	}
	v := p.free[0]
	mu.Unlock()
	return v
}

func (p *Pool) Put(v int) {
	mu := &p.mu
	mu.Lock() // want `lock on mu is not released on the path that returns at line 93`
	if v < 0 {
		return
	}
	p.free = append(p.free, v)
	p.mu.Unlock()
}

// An array of mutexes, indexed by a constant or a variable that does not change.
type Striped struct {
	locks [4]s.Mutex
	vals  [4]int
}

func (st *Striped) Inc(i int) bool {
	st.locks[i%4].Lock() // want `lock on st.locks\[i%4\] is not released on the path that returns at line 108 \(when .st.vals\[i%4\] < 0. at line 107\)`
	if st.vals[i%4] < 0 {
		return false
	}
	st.vals[i%4]++
	st.locks[i%4].Unlock()
	return true
}

// Paths that end the process or panic are not returns.
func (st *Striped) Must(i int) int {
	st.locks[0].Lock()
	if i < 0 {
		panic("negative")
	}
	if i > 100 {
		os.Exit(2)
	}
	v := st.vals[0]
	st.locks[0].Unlock()
	return v
}
