package empty_critical_section

import (
	s "sync"
)

// An embedded mutex, with an aliased import.
type Queue struct {
	s.Mutex
	items []int
}

func (q *Queue) Touch() int {
	q.Lock() // want `empty critical section: q.Lock\(\) is immediately followed by q.Unlock\(\)`
	q.Unlock()
	return len(q.items)
}

// A sync.Locker, in a goroutine.
func locker(l s.Locker, done chan struct{}) {
	go func() {
		l.Lock() // want `empty critical section: l.Lock\(\) is immediately followed by l.Unlock\(\)`
		l.Unlock()
		close(done)
	}()
}

// In a switch case and a select case.
func cases(mu *s.Mutex, k int, ch chan int) {
	switch k {
	case 1:
		mu.Lock() // want `empty critical section`
		mu.Unlock()
	}
	select {
	case <-ch:
		mu.Lock() // want `empty critical section`
		mu.Unlock()
	default:
	}
}

// Arrays of mutexes.
type Shards struct {
	locks [2]s.Mutex
}

func (sh *Shards) Sync() {
	for i := range sh.locks {
		sh.locks[i].Lock() // want `empty critical section: sh.locks\[i\].Lock\(\)`
		sh.locks[i].Unlock()
	}
	sh.locks[0].Lock()
	sh.locks[1].Unlock()
}

// Types that are not sync locks.
type fake struct{}

func (fake) Lock()   {}
func (fake) Unlock() {}

func localSync() {
	sync := fake{}
	sync.Lock()
	sync.Unlock()
}

type own struct{ s.Mutex }

func (o *own) Lock() { o.Mutex.Lock() }

func useOwn(o *own) {
	o.Lock()
	o.Unlock()
}

func generic[L s.Locker](l L) {
	l.Lock()
	l.Unlock()
}
