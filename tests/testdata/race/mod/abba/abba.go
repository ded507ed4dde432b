// Package abba transfers between accounts, locking them in argument order: two opposite
// transfers at once deadlock (AB-BA).
package abba

import (
	"sync"
	"time"
)

// Account is a balance guarded by its mutex.
type Account struct {
	mu      sync.Mutex
	balance int
}

// Transfer moves amount from one account to the other.
func Transfer(from, to *Account, amount int) {
	from.mu.Lock()
	defer from.mu.Unlock()
	time.Sleep(10 * time.Millisecond) // an audit call: widens the window
	to.mu.Lock()
	defer to.mu.Unlock()
	from.balance -= amount
	to.balance += amount
}
