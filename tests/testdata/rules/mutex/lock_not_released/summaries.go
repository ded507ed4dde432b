package lock_not_released

import (
	"errors"
	"sync"
)

// Helpers that take and release a lock for their caller are followed through their summaries.

type table struct {
	mu   sync.Mutex
	rows map[string]int
	next *table
}

func (t *table) lock()   { t.mu.Lock() }
func (t *table) unlock() { t.mu.Unlock() }

var errNoRow = errors.New("missing")

// Taken by a helper, released by a helper, skipped by the early return.
func (t *table) get(k string) (int, error) {
	t.lock() // want `lock on t.mu \(taken by t.lock\(\)\) is not released on the path that returns at line 26`
	v, ok := t.rows[k]
	if !ok {
		return 0, errNoRow
	}
	t.unlock()
	return v, nil
}

// Taken directly, released by the helper on every path: nothing to report.
func (t *table) put(k string, v int) error {
	t.mu.Lock()
	if v < 0 {
		t.unlock()
		return errNoRow
	}
	t.rows[k] = v
	t.unlock()
	return nil
}

// The helper deferred: released at every return.
func (t *table) size() int {
	t.lock()
	defer t.unlock()
	if t.rows == nil {
		return 0
	}
	return len(t.rows)
}

// Another table's lock: the helper releases t.next.mu, not t.mu, so the early return leaks t.mu.
func (t *table) moveNext(k string) error {
	t.mu.Lock() // want `lock on t.mu is not released on the path that returns at line 59`
	if t.next == nil {
		t.next.unlock()
		return errNoRow
	}
	delete(t.rows, k)
	t.mu.Unlock()
	return nil
}

// A helper two calls down releases the lock: followed too.
func (t *table) release() { t.unlock() }

func (t *table) drop(k string) error {
	t.mu.Lock()
	if _, ok := t.rows[k]; !ok {
		t.release()
		return errNoRow
	}
	delete(t.rows, k)
	t.mu.Unlock()
	return nil
}

// A helper that returns with the lock held on purpose is not a leak of its own.
func (t *table) lockIfAny() bool {
	t.mu.Lock()
	return len(t.rows) > 0
}

// A promoted helper releases the embedded struct's lock: the same lock as d.mu.
type base struct {
	mu sync.Mutex
	v  int
}

func (b *base) unlock() { b.mu.Unlock() }

type derived struct{ base }

func (d *derived) set(v int) error {
	d.mu.Lock()
	if v < 0 {
		d.unlock()
		return errNoRow
	}
	d.v = v
	d.mu.Unlock()
	return nil
}
