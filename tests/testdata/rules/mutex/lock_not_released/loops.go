package lock_not_released

import (
	"sync"
	"time"
)

type Backlog struct {
	mu    sync.Mutex
	rw    sync.RWMutex
	items []int
	done  bool
}

// break leaves the loop with q.mu held; the function then returns with it held.
func (q *Backlog) DrainUntil(stop int) int {
	n := 0
	for _, it := range q.items {
		q.mu.Lock() // want `lock on q.mu is not released on the path that leaves through .break. at line 21, which skips q.mu.Unlock\(\) at line 23: the loop is left with q.mu still held`
		if it == stop {
			break
		}
		q.mu.Unlock()
		n++
	}
	return n
}

// continue skips the Unlock: the next iteration locks q.mu again and blocks for good.
func (q *Backlog) Count(skip int) int {
	n := 0
	for i := 0; i < len(q.items); i++ {
		q.mu.Lock() // want `lock on q.mu is not released on the path that leaves through .continue. at line 36, which skips q.mu.Unlock\(\) at line 38: the next iteration starts with q.mu still held, so its q.mu.Lock\(\) waits for good`
		v := q.items[i]
		if v == skip {
			continue
		}
		q.mu.Unlock()
		n += v
	}
	return n
}

// A read lock kept over continue is taken again by the next iteration.
func (q *Backlog) Sum() int {
	n := 0
	for _, v := range q.items {
		q.rw.RLock() // want `read lock on q.rw is not released on the path that leaves through .continue. at line 50, which skips q.rw.RUnlock\(\) at line 52: the next iteration read-locks q.rw again`
		if v < 0 {
			continue
		}
		q.rw.RUnlock()
		n += v
	}
	return n
}

// A labelled continue of the outer loop from inside a select.
func (q *Backlog) Poll(ch chan int) {
outer:
	for {
		q.mu.Lock() // want `leaves through .continue. at line 66, which skips q.mu.Unlock\(\) at line 69`
		select {
		case v := <-ch:
			if v == 0 {
				continue outer
			}
		}
		q.mu.Unlock()
	}
}

// Negative: the lock is released before the jump.
func (q *Backlog) Released(stop int) {
	for _, it := range q.items {
		q.mu.Lock()
		if it == stop {
			q.mu.Unlock()
			break
		}
		if it < 0 {
			q.mu.Unlock()
			continue
		}
		q.mu.Unlock()
	}
}

// Negative: "lock when ready", every way out of the loop holds the lock and the code after
// the loop releases it.
func (q *Backlog) TakeWhenReady() int {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			break
		}
		q.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	v := q.items[0]
	q.items = q.items[1:]
	q.mu.Unlock()
	return v
}

// Negative: a helper that returns with the lock held on purpose (every exit holds it).
func (q *Backlog) lockReady() {
	for {
		q.mu.Lock()
		if !q.done {
			break
		}
		q.mu.Unlock()
	}
}

// Negative: break out of a select or a switch stays inside the loop body.
func (q *Backlog) Select(ch chan int) {
	for i := 0; i < 3; i++ {
		q.mu.Lock()
		select {
		case <-ch:
			break
		default:
		}
		switch i {
		case 1:
			break
		}
		q.mu.Unlock()
	}
}

// Negative: a deferred unlock in a function literal per iteration.
func (q *Backlog) Each(f func(int)) {
	for _, v := range q.items {
		func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			if v < 0 {
				return
			}
			f(v)
		}()
	}
}

// Negative: the lock is held over the whole loop (taken before it), the body lets it go
// and takes it again around slow work; continue keeps the state the loop expects.
func (q *Backlog) Slow(work func(int) bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, v := range q.items {
		if v == 0 {
			continue
		}
		q.mu.Unlock()
		ok := work(v)
		q.mu.Lock()
		if !ok {
			continue
		}
	}
}

// Negative: the loop is left through break with the lock held and released after it,
// on both ways out.
func (q *Backlog) Find(x int) bool {
	found := false
	for i := 0; ; i++ {
		q.mu.Lock()
		if i >= len(q.items) {
			break
		}
		if q.items[i] == x {
			found = true
			break
		}
		q.mu.Unlock()
	}
	q.mu.Unlock()
	return found
}

type shard struct {
	mu   sync.Mutex
	keep bool
}

// Negative: another lock each iteration; the kept ones are released after the loop.
func lockSelected(shards []*shard) {
	var kept []*shard
	for _, sh := range shards {
		sh.mu.Lock()
		if sh.keep {
			kept = append(kept, sh)
			continue
		}
		sh.mu.Unlock()
	}
	for _, sh := range kept {
		sh.mu.Unlock()
	}
}

// Negative: a try-lock helper tells its caller whether it holds the lock.
func (q *Backlog) tryLockReady(n int) bool {
	for i := 0; i < n; i++ {
		q.mu.Lock()
		if !q.done {
			break
		}
		q.mu.Unlock()
	}
	return !q.done
}
