package lock_not_released

import (
	"sync"
)

type Store struct {
	mu    sync.RWMutex
	items map[string]int
	log   []string
}

// A read lock left held.
func (s *Store) Len(strict bool) int {
	s.mu.RLock() // want `read lock on s.mu is not released on the path that returns at line 17 \(when .strict && s.items == nil. at line 16\): add s.mu.RUnlock\(\) before that return`
	if strict && s.items == nil {
		return -1
	}
	n := len(s.items)
	s.mu.RUnlock()
	return n
}

// A switch case returns early.
func (s *Store) Kind(k string) string {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 29 \(in .case 0. at line 28\)`
	switch s.items[k] {
	case 0:
		return "none"
	case 1:
		s.mu.Unlock()
		return "one"
	}
	s.mu.Unlock()
	return "many"
}

// A select case returns early.
func (s *Store) Wait(ch <-chan int, done <-chan struct{}) int {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 44 \(when .v < 0. at line 43\)`
	select {
	case v := <-ch:
		if v < 0 {
			return v
		}
	case <-done:
		s.mu.Unlock()
		return 0
	}
	s.mu.Unlock()
	return 1
}

// A return in a nested loop, next to a labeled break that leaves the loops.
func (s *Store) Find(xs, ys []int) int {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 64 \(when .y < 0. at line 63\)`
outer:
	for _, x := range xs {
		for _, y := range ys {
			if y == x {
				break outer
			}
			if y < 0 {
				return -1
			}
		}
	}
	s.mu.Unlock()
	return 0
}

// A labeled continue keeps the lock held across iterations; the return inside leaks it.
func (s *Store) Scan(rows [][]int) int {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 82 \(when .v < 0. at line 81\)`
next:
	for _, row := range rows {
		for _, v := range row {
			if v == 0 {
				continue next
			}
			if v < 0 {
				return v
			}
		}
	}
	s.mu.Unlock()
	return 0
}

// The deferred unlock is registered too late for the early return.
func (s *Store) Late(k string) int {
	s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 94 \(when .k == "". at line 93\)`
	if k == "" {
		return 0
	}
	defer s.mu.Unlock()
	return s.items[k]
}

// A goto to an error exit that forgets the lock: the return comes after the Unlock in the
// source, which is what the rule relies on to tell leaks from functions that return locked.
func (s *Store) Append(line string) error {
	s.mu.Lock() // todo-want `lock on s.mu is not released`
	if line == "" {
		goto fail
	}
	s.log = append(s.log, line)
	s.mu.Unlock()
	return nil
fail:
	return errNotFound
}

// Leaks inside function literals and goroutines are found in the literal.
func (s *Store) Async(k string, done chan<- int) {
	go func() {
		s.mu.Lock() // want `lock on s.mu is not released on the path that returns at line 120`
		v, ok := s.items[k]
		if !ok {
			return
		}
		s.mu.Unlock()
		done <- v
	}()
	get := func() int {
		s.mu.RLock() // want `read lock on s.mu is not released on the path that returns at line 128`
		if s.items == nil {
			return 0
		}
		defer s.mu.RUnlock()
		return s.items[k]
	}
	_ = get()
}
