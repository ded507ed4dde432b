package lock_not_released

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
)

// Shapes seen in real code.

type conn struct {
	mu      sync.Mutex
	pending int
	strict  bool
	ignore  bool
}

var errBusy = errors.New("busy")

// flushLocked is called with c.mu held: it drops the lock to yield and takes it back before
// returning, so the caller's Unlock stays balanced. Not a leak.
func (c *conn) flushLocked(spin bool) bool {
	if spin {
		c.mu.Unlock()
		runtime.Gosched()
		c.mu.Lock()
		return false
	}
	c.pending = 0
	c.mu.Unlock()
	c.mu.Lock()
	return true
}

// The same with an error return.
func (c *conn) resolveLocked(lookup func() error) error {
	c.mu.Unlock()
	err := lookup()
	c.mu.Lock()
	if err != nil {
		return err
	}
	c.mu.Unlock()
	c.mu.Lock()
	return nil
}

// A setter that forgets to unlock on its early "no-op" return.
func (c *conn) SetIgnore(v bool) {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 54 \(when .!c.strict. at line 52\)`
	if !c.strict {
		// noop
		return
	}
	c.ignore = v
	c.mu.Unlock()
}

// Dead code is no path: `if false { return }` keeps the section non-empty for linters.
func (c *conn) noDefer() {
	c.mu.Lock()
	if false {
		return
	}
	c.mu.Unlock()
}

// The leaking return is in the else branch: the message says which way the condition went.
func (c *conn) parse(s string) string {
	c.mu.Lock() // want `lock on c.mu is not released on the path that returns at line 75 \(when .err == nil. is false at line 72\)`
	if n, err := strconv.Atoi(s); err == nil {
		c.pending = n
	} else {
		return err.Error()
	}
	c.mu.Unlock()
	return ""
}

var _ = errBusy
