package defer_lock_after_lock

import (
	s "sync"
)

// An embedded mutex, with an aliased import.
type Counter struct {
	s.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock()
	defer c.Lock() // want `defer c.Lock\(\) after c.Lock\(\) at line 14.*did you mean defer c.Unlock\(\)\?`
	c.n++
}

func (c *Counter) Dec() {
	c.Mutex.Lock()
	defer c.Lock() // want `defer c.Lock\(\) after c.Lock\(\) at line 20`
	c.n--
}

// A sync.Locker.
func locked(l s.Locker, f func()) {
	l.Lock()
	defer l.Lock() // want `defer l.Lock\(\) after l.Lock\(\) at line 27`
	f()
}

// In a closure and a goroutine.
func closures(mu *s.Mutex, done chan struct{}) {
	go func() {
		mu.Lock()
		defer mu.Lock() // want `defer mu.Lock\(\) after mu.Lock\(\)`
		close(done)
	}()
	f := func() {
		mu.Lock()
		defer mu.Unlock()
	}
	f()
}

// A deferred closure that locks again is the same mistake.
func deferredClosure(mu *s.Mutex) int {
	mu.Lock()
	defer func() {
		mu.Lock() // want `defer mu.Lock\(\) after mu.Lock\(\) at line 48`
	}()
	return 1
}

// A type of this package with its own Lock method is not a sync lock.
type fileLock struct{ path string }

func (f *fileLock) Lock()   {}
func (f *fileLock) Unlock() {}

func useFileLock(f *fileLock) {
	f.Lock()
	defer f.Lock()
}

// A local variable called sync.
func localSync() {
	sync := &fileLock{}
	sync.Lock()
	defer sync.Lock()
}

// Type parameters are unknown.
func generic[L s.Locker](l L) {
	l.Lock()
	defer l.Lock()
}

// TryLock is not tracked.
func try(mu *s.Mutex) {
	if mu.TryLock() {
		defer mu.Lock()
	}
}

// A deferred closure with a critical section of its own runs after the lock was released.
func deferredSection(mu *s.Mutex, n *int) {
	mu.Lock()
	defer func() {
		mu.Lock()
		*n = 0
		mu.Unlock()
	}()
	*n++
	mu.Unlock()
}
