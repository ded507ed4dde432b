package lock_not_released

import (
	"errors"
	"sync"
)

// Fixtures for `goconc fix`: the lock-not-released fix is unsafe, so fix.go.golden is this
// file unchanged and fix.go.unsafe.golden has the fixes applied.

var errFixAmount = errors.New("bad amount")

type fixAccount struct {
	mu      sync.Mutex
	balance int
}

// Fixed: every release is followed by the end of the function.
func (a *fixAccount) withdraw(n int) error {
	a.mu.Lock() // want `lock on a.mu is not released on the path that returns at line 22`
	if n <= 0 {
		return errFixAmount
	}
	if n > a.balance {
		a.mu.Unlock()
		return errFixAmount
	}
	a.balance -= n
	a.mu.Unlock() // the balance is updated
	return nil
}

// Not fixed: the release is followed by more work, which a deferred Unlock would hold the
// lock over.
func (a *fixAccount) deposit(n int, audit func(int)) {
	a.mu.Lock() // want `lock on a.mu is not released on the path that returns at line 38`
	if n <= 0 {
		return
	}
	a.balance += n
	a.mu.Unlock()
	audit(n)
}

// Not fixed: a defer in a loop would hold the lock into the next iteration.
func (a *fixAccount) withdrawAll(ns []int) {
	for _, n := range ns {
		a.mu.Lock() // want `lock on a.mu is not released on the path that returns at line 50`
		if n > a.balance {
			return
		}
		a.balance -= n
		a.mu.Unlock()
	}
}
