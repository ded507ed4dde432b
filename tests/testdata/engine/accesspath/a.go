// Package accesspath is the fixture of tests/test_accesspath.py: `// path "P"` says what the
// receiver of the Lock/Unlock/Add/Done/Wait call on its line is, as an access path.
package accesspath

import "sync"

var global sync.Mutex

type Inner struct{ mu sync.Mutex }

type S struct {
	mu    sync.Mutex
	inner Inner
	peers []*Inner
	byKey map[string]*Inner
	wg    sync.WaitGroup
	sync.RWMutex
}

func (s *S) fields(i int, k string) {
	s.mu.Lock()            // path "s.mu"
	s.inner.mu.Lock()      // path "s.inner.mu"
	s.peers[i].mu.Lock()   // path "s.peers[].mu"
	s.peers[0].mu.Lock()   // path "s.peers[0].mu"
	s.byKey[k].mu.Lock()   // path "s.byKey[].mu"
	(*s).mu.Lock()         // path "s.mu"
	(&s.inner).mu.Unlock() // path "s.inner.mu"
	global.Lock()          // path "global"
}

func (s *S) locals() {
	mu := &s.mu
	mu.Lock() // path "s.mu"
	other := &s.mu
	other = &s.inner.mu
	other.Lock() // path "other"
	var wg sync.WaitGroup
	wg.Add(1) // path "wg"
	go func() {
		defer wg.Done() // path "wg"
		s.wg.Done()     // path "s.wg"
	}()
	wg.Wait() // path "wg"
}

func (s *S) shadow() {
	mu := &s.mu
	{
		mu := &s.inner.mu
		mu.Lock() // path "s.inner.mu"
	}
	mu.Unlock() // path "s.mu"
}

func lockBoth(a, b *sync.Mutex) {
	a.Lock() // path "a"
	b.Lock() // path "b"
}

func (s *S) callers() {
	lockBoth(&s.mu, &s.inner.mu)
	s.lockInner()
	s.RLock() // path "s.RWMutex"
}

func (s *S) lockInner() { s.inner.mu.Lock() } // path "s.inner.mu"
