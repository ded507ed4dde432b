package lock_not_released

import (
	"errors"
	"os"
	"sync"
)

// Calls are resolved to what they call, not matched by name (issue 9).

type closer struct {
	mu sync.Mutex
	n  int
}

// Close releases the caller's lock: calls of *this* Close count as releases.
func (c *closer) Close() { c.mu.Unlock() }

// f.Close() is os.File's Close, which has nothing to do with c.mu: the early return leaks.
func (c *closer) readFile(f *os.File) error {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 24`
	if c.n > 0 {
		f.Close()
		return errors.New("busy")
	}
	c.mu.Unlock()
	return nil
}

// c.Close() is the releaser above: no finding.
func (c *closer) closeEarly() error {
	c.mu.Lock()
	if c.n > 0 {
		c.Close()
		return errors.New("closed")
	}
	c.mu.Unlock()
	return nil
}

type reader struct {
	mu sync.Mutex
	n  int
}

func (r *reader) stopReading() { r.mu.Unlock() }

// The unlock is a method value kept in a variable and called from a deferred closure: the
// early return releases the lock through it.
func (r *reader) next() error {
	var unlock func()
	r.mu.Lock()
	unlock = r.stopReading
	defer func() { unlock() }()
	if r.n > 0 {
		return errors.New("early")
	}
	r.n++
	return nil
}
