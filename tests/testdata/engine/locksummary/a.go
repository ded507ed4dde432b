// Package locksummary is the fixture of tests/test_locksummary.py: a `// summary` comment on a
// function's first line lists its lock summary, fact by fact ("locks" is left out when it
// returns with the lock held); a function without one has an empty summary. Any difference
// fails the test.
package locksummary

import "sync"

type S struct {
	mu   sync.Mutex
	rw   sync.RWMutex
	n    int
	peer *S
}

type E struct {
	sync.Mutex
	items []int
}

var global sync.Mutex

func (s *S) lock() { s.mu.Lock() } // summary "returns with s.mu held"

func (s *S) unlock() { s.mu.Unlock() } // summary "unlocks the caller's s.mu"

func (s *S) rlock() { s.rw.RLock() } // summary "returns with s.rw read-locked"

func (s *S) get() int { // summary "locks s.mu"
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *S) read() int { // summary "read-locks s.rw"
	s.rw.RLock()
	v := s.n
	s.rw.RUnlock()
	return v
}

// Through calls: the callee's receiver is the caller's receiver, or the argument.
func (s *S) viaGet() int { return s.get() } // summary "locks s.mu"

func (s *S) viaPeer() int { return s.peer.get() } // summary "locks s.peer.mu"

func getOf(x *S) int { return x.get() } // summary "locks x.mu"

func (s *S) viaParam() int { return getOf(s) } // summary "locks s.mu"

func (s *S) lockTwice() { // summary "returns with s.mu held"
	s.lock()
}

func (s *S) unlockVia() { s.unlock() } // summary "unlocks the caller's s.mu"

// Deferred: the caller's lock is released at return.
func (s *S) releaseLater() { // summary "unlocks the caller's s.mu"
	defer s.mu.Unlock()
	s.n++
}

// Released and taken back: nothing changes for the caller, and it is no deadlock either.
func (s *S) waitUnlocked(ch chan int) { // summary "returns with s.mu held" "unlocks the caller's s.mu"
	s.mu.Unlock()
	<-ch
	s.mu.Lock()
}

// Only on some paths: not "locks".
func (s *S) maybe(b bool) int { // summary
	if b {
		return s.get()
	}
	return 0
}

func (s *S) earlyOut(b bool) int { // summary
	if b {
		return 0
	}
	return s.get()
}

// A lock of its own (a local) is not the caller's business.
func local() { // summary
	var mu sync.Mutex
	mu.Lock()
	mu.Unlock()
}

// Package variables are everyone's.
func lockGlobal() { global.Lock() } // summary "returns with global held"

// Embedded mutex: the path goes through the embedded field.
func (e *E) add(v int) { // summary "locks e.Mutex"
	e.Lock()
	e.items = append(e.items, v)
	e.Unlock()
}

// A lock whose address leaves the function: what happens to it is not followed.
func (s *S) escapes(f func(*sync.Mutex)) { // summary "lets s.mu escape"
	s.mu.Lock()
	f(&s.mu)
}

func (s *S) callsEscape(f func(*sync.Mutex)) { // summary "lets s.mu escape"
	s.escapes(f)
}

// Recursion: a fixpoint over the cycle.
func (s *S) even(n int) int { // summary
	if n == 0 {
		return s.get()
	}
	return s.odd(n - 1)
}

func (s *S) odd(n int) int { // summary
	if n == 0 {
		return 0
	}
	return s.even(n - 1)
}

func (s *S) spin(n int) { // summary "locks s.mu"
	s.mu.Lock()
	s.n = n
	s.mu.Unlock()
	if n > 0 {
		s.spin(n - 1)
	}
}

// Goroutines run on their own: their locks are not the caller's.
func (s *S) background() { // summary
	go s.get()
	go func() {
		s.mu.Lock()
		s.n++
		s.mu.Unlock()
	}()
}
