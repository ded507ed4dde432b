package deferred_unlock_in_loop

import (
	"strings"
	"sync"
)

// Fixtures for `goconc fix`: the deferred-unlock-in-loop fix is unsafe, so fix.go.golden is
// this file unchanged and fix.go.unsafe.golden has the fixes applied.

type fixBank struct {
	mu    sync.Mutex
	total int
	log   []string
}

// Fixed: the body moves into a function literal. The break belongs to the inner loop, and the
// lines inside the raw string keep their bytes.
func (b *fixBank) addAll(groups [][]int) {
	for _, ns := range groups {
		b.mu.Lock()
		defer b.mu.Unlock() // want `defer b.mu.Unlock\(\) inside a loop`
		for _, n := range ns {
			if n < 0 {
				break
			}
			b.total += n
		}
		b.log = append(b.log, strings.TrimSpace(`
added
`))
	}
}

// Not fixed: `continue` would not compile inside a function literal.
func (b *fixBank) addPositive(ns []int) {
	for _, n := range ns {
		b.mu.Lock()
		defer b.mu.Unlock() // want `defer b.mu.Unlock\(\) inside a loop`
		if n < 0 {
			continue
		}
		b.total += n
	}
}

// Not fixed: the return would leave only the function literal.
func (b *fixBank) addUntil(ns []int, limit int) {
	for _, n := range ns {
		b.mu.Lock()
		defer b.mu.Unlock() // want `defer b.mu.Unlock\(\) inside a loop`
		if b.total > limit {
			return
		}
		b.total += n
	}
}

// Not fixed: the lock is taken before the loop, so unlocking each iteration would unlock it
// more than once.
func (b *fixBank) addLocked(ns []int) {
	b.mu.Lock()
	for _, n := range ns {
		defer b.mu.Unlock() // want `defer b.mu.Unlock\(\) inside a loop`
		b.total += n
	}
}
