package copied_lock

import (
	"fmt"
	"sync"
)

type Server struct {
	mu    sync.Mutex
	state *State
	conns map[string]*State
}

type State struct {
	mu    sync.RWMutex
	count int
}

func (s *Server) current() *State { return s.state }

func (s *Server) value() State { // a fresh copy to the caller... made here:
	return *s.state // want `return copies lock value: State contains sync.RWMutex`
}

func getState() *State { return &State{} }

// Copies out of the pointer a call returns, which go vet does not look at.
func callResults(s *Server) {
	v := *s.current() // want `assignment copies lock value to v: State contains sync.RWMutex`
	w := *getState()  // getState is a constructor (returns &State{}): a fresh value, no live lock
	x := s.value()    // the result of a call is a fresh value
	y := s.current()  // a pointer
	fmt.Println(&v, &w, &x, y)
	fmt.Println(*s.current()) // want `call of fmt.Println copies lock value: \*s.current\(\) is State contains sync.RWMutex`
	z := *s.conns["a"]        // want `assignment copies lock value to z: State contains sync.RWMutex`
	fmt.Println(&z)
}

// Locks handed to helper functions.

func withLock(mu *sync.Mutex, f func()) {
	mu.Lock()
	defer mu.Unlock()
	f()
}

func withLockValue(mu sync.Mutex, f func()) { // want `withLockValue passes lock by value: parameter of type sync.Mutex`
	mu.Lock()
	defer mu.Unlock()
	f()
}

func helpers(s *Server) {
	withLock(&s.mu, func() { s.state = nil })
	withLockValue(s.mu, func() {}) // want `call of withLockValue copies lock value: s.mu is sync.Mutex; pass a pointer`
}

// Goroutines and closures.

func goroutines(s *Server, st State) { // want `goroutines passes lock by value: parameter of type State contains sync.RWMutex`
	go func(c State) { // want `func literal passes lock by value: parameter of type State contains sync.RWMutex`
		fmt.Println(c.count)
	}(*s.state) // want `call of func literal copies lock value: \*s.state is State contains sync.RWMutex`
	go func(p *State) {
		p.mu.Lock()
		p.count++
		p.mu.Unlock()
	}(s.state)
	done := make(chan bool)
	go func() {
		s.mu.Lock()
		s.state = nil
		s.mu.Unlock()
		done <- true
	}()
	<-done
	f := func() State {
		return *s.state // want `return copies lock value: State contains sync.RWMutex`
	}
	_ = f
}

// A method value binds a copy of a value receiver... only when the receiver is a value.
func methodValues(c *Counter) func() int {
	return c.Value
}
