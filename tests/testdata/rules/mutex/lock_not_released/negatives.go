package lock_not_released

import (
	"sync"
)

type Conn struct {
	mu     sync.Mutex
	rw     sync.RWMutex
	closed bool
	buf    []byte
	wake   *sync.Cond
}

// A helper of this package that releases the lock for its caller.
func (c *Conn) unlockAndWake() {
	c.mu.Unlock()
	c.wake.Broadcast()
}

func (c *Conn) Write(b []byte) int {
	c.mu.Lock()
	if c.closed {
		c.unlockAndWake()
		return 0
	}
	c.buf = append(c.buf, b...)
	c.mu.Unlock()
	return len(b)
}

// A helper that locks and unlocks for itself does not release the caller's lock.
func (c *Conn) size() int {
	c.rw.RLock()
	defer c.rw.RUnlock()
	return len(c.buf)
}

func (c *Conn) Flush() int {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 42`
	if c.size() == 0 {
		return 0
	}
	c.buf = c.buf[:0]
	c.mu.Unlock()
	return 1
}

// The unlock is handed over as a function value.
func (c *Conn) lockWithRelease() func() {
	c.mu.Lock()
	if c.closed {
		return c.mu.Unlock
	}
	return func() { c.mu.Unlock() }
}

func cleanup(f func()) { f() }

func (c *Conn) Release() int {
	c.mu.Lock()
	if c.closed {
		defer cleanup(c.mu.Unlock)
		return 0
	}
	c.mu.Unlock()
	return 1
}

// A deferred closure unlocks.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer func() {
		c.closed = true
		c.mu.Unlock()
	}()
	if c.closed {
		return nil
	}
	c.buf = nil
	return nil
}

// A lock returned held on purpose: only the failure path releases it.
func (c *Conn) lockOpen() bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	return true
}

// Locked in one goroutine, released in another: a lock used as a signal.
func (c *Conn) Handoff(done chan struct{}) {
	c.mu.Lock()
	go func() {
		defer c.mu.Unlock()
		<-done
	}()
	if c.closed {
		return
	}
	c.buf = nil
}

// TryLock is not tracked: which path holds the lock depends on its result.
func (c *Conn) Try() bool {
	if !c.mu.TryLock() {
		return false
	}
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.buf = nil
	c.mu.Unlock()
	return true
}

// Reassigning the variable in the key ends tracking: a different lock each time.
func chain(cs []*Conn) int {
	c := cs[0]
	c.mu.Lock()
	for _, next := range cs[1:] {
		c.mu.Unlock()
		c = next
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return -1
		}
	}
	c.mu.Unlock()
	return 0
}

// A Cond's Wait unlocks and relocks: the lock is still held afterwards.
func (c *Conn) WaitOpen() {
	c.mu.Lock()
	for c.closed {
		c.wake.Wait()
	}
	c.mu.Unlock()
}

// Every return releases.
func (c *Conn) Read(p []byte) int {
	c.rw.RLock()
	if len(c.buf) == 0 {
		c.rw.RUnlock()
		return 0
	}
	n := copy(p, c.buf)
	c.rw.RUnlock()
	return n
}

// Upgrading a read lock to a write lock.
func (c *Conn) Ensure() int {
	c.rw.RLock()
	if c.buf != nil {
		n := len(c.buf)
		c.rw.RUnlock()
		return n
	}
	c.rw.RUnlock()
	c.rw.Lock()
	defer c.rw.Unlock()
	c.buf = make([]byte, 0, 64)
	return 0
}

// Type parameters are not known to be locks.
func withLock[L sync.Locker](l L, ok bool) bool {
	l.Lock()
	if !ok {
		return false
	}
	l.Unlock()
	return true
}
