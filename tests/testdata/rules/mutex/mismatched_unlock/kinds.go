package mismatched_unlock

import (
	"fmt"
	s "sync"
)

// An embedded RWMutex, through an aliased import.
type Registry struct {
	s.RWMutex
	names []string
}

func (r *Registry) Names() []string {
	r.RLock()
	defer r.Unlock() // want `r was locked with RLock\(\) at line 15 but is released with Unlock\(\); use RUnlock\(\)`
	return r.names
}

func (r *Registry) Add(n string) {
	r.RWMutex.Lock()
	r.names = append(r.names, n)
	r.RUnlock() // want `r was locked with Lock\(\) at line 21 but is released with RUnlock\(\)`
}

// A pointer to a lock-holding struct embedded in another.
type Service struct {
	*Registry
	name string
}

func (sv Service) First() string {
	sv.RLock()
	defer sv.Registry.RWMutex.Unlock() // want `sv.Registry.RWMutex was locked with RLock\(\) at line 33`
	if len(sv.names) == 0 {
		return ""
	}
	return sv.names[0]
}

// A local alias of the field.
func (r *Registry) Count() int {
	mu := &r.RWMutex
	mu.RLock()
	n := len(r.names)
	r.Unlock() // want `r was locked with RLock\(\) at line 44 but is released with Unlock\(\)`
	return n
}

// Goroutines and closures are analysed on their own.
func (r *Registry) Watch(done chan struct{}) {
	r.Lock()
	go func() {
		r.RLock()
		fmt.Println(len(r.names))
		r.RUnlock()
		close(done)
	}()
	r.Unlock()
	func() {
		r.RLock()
		defer r.Unlock() // want `r was locked with RLock\(\)`
	}()
}

// A lock released in a goroutine that did not take it is not tracked.
func (r *Registry) Handoff(done chan struct{}) {
	r.RLock()
	go func() {
		<-done
		r.RUnlock()
	}()
}

// Generic lockers and types with their own methods are unknown.
type myRW struct{ s.RWMutex }

func (m *myRW) Unlock() { m.RWMutex.Unlock() }

func useMyRW(m *myRW) {
	m.RLock()
	m.Unlock()
}

func generic[L interface {
	RLock()
	Unlock()
}](l L) {
	l.RLock()
	l.Unlock()
}

// A local variable called sync that is not the package.
type fake struct{}

func (fake) RLock()  {}
func (fake) Unlock() {}

func localSync() {
	sync := fake{}
	sync.RLock()
	sync.Unlock()
}

// Labeled loops and goto keep the mode.
func (r *Registry) Loop(xs [][]string) {
	r.RLock()
outer:
	for _, x := range xs {
		for _, y := range x {
			if y == "" {
				continue outer
			}
			if y == "stop" {
				break outer
			}
		}
	}
	r.Unlock() // want `r was locked with RLock\(\) at line 107`
}
