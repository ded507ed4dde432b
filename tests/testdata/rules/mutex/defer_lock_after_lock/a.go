package defer_lock_after_lock

import (
	"sync"
)

var mu sync.Mutex

var count int

// The documentation's example.
func docExample() {
	mu.Lock()
	defer mu.Lock() // want `defer mu.Lock\(\) after mu.Lock\(\) at line 13: the lock is never released; did you mean defer mu.Unlock\(\)\?`
	count++
}

// The documentation's "use instead".
func docUseInstead() {
	mu.Lock()
	defer mu.Unlock()
	count++
}

type Index struct {
	mu   sync.RWMutex
	keys map[string]int
}

func (x *Index) Get(k string) int {
	x.mu.RLock()
	defer x.mu.RLock() // want `defer x.mu.RLock\(\) after x.mu.RLock\(\) at line 31: the lock is never released; did you mean defer x.mu.RUnlock\(\)\?`
	return x.keys[k]
}

// A read lock followed by a deferred write lock: RUnlock was meant.
func (x *Index) Has(k string) bool {
	x.mu.RLock()
	defer x.mu.Lock() // want `defer x.mu.Lock\(\) after x.mu.RLock\(\) at line 38: .*did you mean defer x.mu.RUnlock\(\)\?`
	_, ok := x.keys[k]
	return ok
}

// A comment, or other statements, between the two.
func (x *Index) Set(k string, v int) {
	x.mu.Lock() // exclusive
	// keys is guarded by mu
	if x.keys == nil {
		x.keys = map[string]int{}
	}
	defer x.mu.Lock() // want `defer x.mu.Lock\(\) after x.mu.Lock\(\) at line 46`
	x.keys[k] = v
}

// Release a lock the caller holds, and take it back on return: correct.
func (x *Index) slowPath() {
	x.mu.Unlock()
	defer x.mu.Lock()
	count++
}

// Locked on one path only: not reported.
func (x *Index) maybe(lock bool) {
	if lock {
		x.mu.Lock()
	}
	defer x.mu.Lock()
	count++
}

// Different locks.
func (x *Index) two(y *Index) {
	x.mu.Lock()
	defer y.mu.Lock()
	count++
}

// The lock was released before the defer.
func (x *Index) released() {
	x.mu.Lock()
	count++
	x.mu.Unlock()
	defer x.mu.Lock()
}
