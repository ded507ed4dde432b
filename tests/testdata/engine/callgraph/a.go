// Package callgraph is the fixture of tests/test_callgraph.py: each `// callee` comment lists
// what the calls on its line resolve to, in source order.
package callgraph

import (
	"errors"
	"os"
	str "strings"
	"sync"
)

type S struct {
	mu sync.Mutex
	n  int
}

func (s *S) unlock() { s.mu.Unlock() } // callee "sync.Mutex.Unlock"

func (s *S) value() int { return s.n }

func (s *S) Close() { s.mu.Unlock() } // callee "sync.Mutex.Unlock"

type Embeds struct {
	sync.Mutex
	*S
}

type Doer interface{ Do() error }

func helper(x int) int { return x + 1 }

func generic[T any](v T) T { return v }

func calls(s *S, e *Embeds, d Doer, f *os.File) {
	s.mu.Lock()         // callee "sync.Mutex.Lock"
	s.unlock()          // callee "S.unlock"
	_ = s.value()       // callee "S.value"
	e.Lock()            // callee "sync.Mutex.Lock"
	e.unlock()          // callee "S.unlock"
	_ = d.Do()          // callee "dynamic:Do"
	_ = helper(1)       // callee "helper"
	_ = generic[int](2) // callee "generic"
	_ = generic(3)      // callee "generic"
	_ = len("x")        // callee "builtin:len"
	_ = int64(4)        // callee "conversion:int64"
	_ = []byte("y")     // not a call
	_ = str.ToUpper("") // callee "strings.ToUpper"
	_ = errors.New("e") // callee "errors.New"
	_ = f.Close()       // callee "os.File.Close"
	s.Close()           // callee "S.Close"
}

func literals(s *S) {
	func() {}()    // callee "literals$1"
	go func() {}() // callee "literals$2"
	defer func() { // callee "literals$3"
		func() {}() // callee "literals$3$1"
	}()
	f := func() {}
	f() // callee "literals$4"
	g := func() {}
	g = func() {}
	g() // callee "dynamic:g"
	unlock := s.unlock
	unlock() // callee "S.unlock"
	h := helper
	_ = h(1) // callee "helper"
	p := func() {}
	q := &p
	_ = q
	p() // callee "dynamic:p"
}

// The deferred method value of issue 9: unlock is set once, called from a deferred literal.
func stopReading(s *S) error {
	var unlock func()
	s.mu.Lock() // callee "sync.Mutex.Lock"
	unlock = s.unlock
	defer func() { // callee "stopReading$1"
		unlock() // callee "S.unlock"
	}()
	if s.n > 0 {
		return errors.New("early") // callee "errors.New"
	}
	return nil
}

func params(fn func() int, fs []func()) {
	_ = fn() // callee "dynamic:fn"
	for _, f := range fs {
		f() // callee "dynamic:f"
	}
}

func waitGroupGo() {
	var wg sync.WaitGroup
	wg.Go(func() { // callee "sync.WaitGroup.Go"
		_ = helper(2) // callee "helper"
	})
	wg.Wait() // callee "sync.WaitGroup.Wait"
}

func even(n int) bool {
	if n == 0 {
		return true
	}
	return odd(n - 1) // callee "odd"
}

func odd(n int) bool {
	if n == 0 {
		return false
	}
	return even(n - 1) // callee "even"
}

func self(n int) int {
	if n == 0 {
		return 0
	}
	return self(n - 1) // callee "self"
}

var table = map[string]func() int{
	"a": func() int { return helper(0) }, // callee "helper"
}

func init() { _ = helper(5) } // callee "helper"

func init() { _ = table["a"]() } // callee "dynamic:table"
