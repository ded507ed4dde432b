package deferred_unlock_in_loop

import "sync"

type recorder struct {
	mu sync.Mutex
	n  int
}

// The lock is taken (and its release deferred) at most once, guarded by a flag that the same
// `if` sets: not a deferred unlock that piles up.
func (r *recorder) recordAll(reports []int) {
	locked := false
	for _, v := range reports {
		if v == 0 {
			continue
		}
		if !locked {
			r.mu.Lock()
			defer r.mu.Unlock()
			locked = true
		}
		r.n += v
	}
}

// Without the flag, the second report deadlocks.
func (r *recorder) recordAllBuggy(reports []int) {
	for _, v := range reports {
		if v != 0 {
			r.mu.Lock()
			defer r.mu.Unlock() // want `defer r.mu.Unlock\(\) inside a loop`
		}
		r.n += v
	}
}
