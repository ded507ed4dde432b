package mismatched_unlock

import "sync"

// Fixtures for `goconc fix`: fix.go.golden holds this file with the fixes applied.

type fixTable struct {
	mu   sync.RWMutex
	rows []int
}

// Fixed: a deferred Unlock of a read lock.
func (t *fixTable) count() int {
	t.mu.RLock()
	defer t.mu.Unlock() // want `use RUnlock\(\)`
	return len(t.rows)
}

// Fixed: RUnlock of a write lock.
func (t *fixTable) add(r int) {
	t.mu.Lock()
	t.rows = append(t.rows, r)
	t.mu.RUnlock() // want `use Unlock\(\)`
}

// Not fixed: the read lock is upgraded after the defer, so the write lock is held at return
// and the deferred Unlock is right there.
func (t *fixTable) addOnce(r int) {
	t.mu.RLock()
	defer t.mu.Unlock() // want `use RUnlock\(\)`
	for _, x := range t.rows {
		if x == r {
			t.mu.RUnlock()
			t.mu.Lock()
			return
		}
	}
	t.mu.RUnlock()
	t.mu.Lock()
	t.rows = append(t.rows, r)
}

// Not fixed: the lock is also released by a defer; with RUnlock here, it would be released
// twice.
func (t *fixTable) first() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.rows) == 0 {
		t.mu.Unlock() // want `use RUnlock\(\)`
		return 0
	}
	return t.rows[0]
}

type upgrader struct {
	rw sync.RWMutex
	n  int
}

// Not reported: a closure the function calls upgrades the read lock, so the write lock is
// held at the Unlock (RUnlock there would crash).
func (u *upgrader) upgradeInClosure() {
	u.rw.RLock()
	func() {
		u.rw.RUnlock()
		u.rw.Lock()
	}()
	u.n++
	u.rw.Unlock()
}

// Not reported: the same with the release deferred and the closure stored in a variable.
func (u *upgrader) upgradeDeferred() {
	u.rw.RLock()
	defer u.rw.Unlock()
	up := func() {
		u.rw.RUnlock()
		u.rw.Lock()
	}
	up()
	u.n++
}

// Not reported: method values of the lock upgrade it.
func (u *upgrader) upgradeByValue() {
	u.rw.RLock()
	defer u.rw.Unlock()
	unlock, lock := u.rw.RUnlock, u.rw.Lock
	unlock()
	lock()
	u.n++
}

// Not reported: the lock leaves the function by its address; whoever gets it may upgrade it.
func (u *upgrader) upgradeThrough(f func(*sync.RWMutex)) {
	u.rw.RLock()
	defer u.rw.Unlock()
	f(&u.rw)
	u.n++
}

// Reported but not fixed: a helper of the package upgrades the lock after the defer.
func (u *upgrader) upgradeByHelper() {
	u.rw.RLock()
	defer u.rw.Unlock() // want `use RUnlock\(\)`
	u.upgrade()
	u.n++
}

func (u *upgrader) upgrade() {
	u.rw.RUnlock()
	u.rw.Lock()
}
