package concurrent_map_write

import (
	"os"
	"sync"

	"fixtures/internal/errgroup"
)

func sizes(paths []string) map[string]int64 {
	out := make(map[string]int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fi, err := os.Stat(p); err == nil {
				out[p] = fi.Size() // want `map out is written by every goroutine this loop starts, with no lock held: concurrent map writes crash the program`
			}
		}()
	}
	wg.Wait()
	return out
}

type Index struct {
	counts map[string]int
}

func (ix *Index) add(words []string) {
	var wg sync.WaitGroup
	for i := 0; i < len(words); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ix.counts[words[i]]++ // want `map ix.counts is written by every goroutine this loop starts`
		}()
	}
	wg.Wait()
}

func forget(seen map[string]bool, keys []string) error {
	var g errgroup.Group
	for _, k := range keys {
		g.Go(func() error {
			delete(seen, k) // want `map seen is written by every goroutine this loop starts`
			return nil
		})
	}
	return g.Wait()
}

type Set map[string]struct{}

func fill(s Set, keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() {
			s[k] = struct{}{} // want `map s is written by every goroutine this loop starts`
		})
	}
	wg.Wait()
}

// ---- not reported ----

// Guarded by a mutex.
func guarded(paths []string) map[string]int {
	out := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			out[p] = len(p)
		}()
	}
	wg.Wait()
	return out
}

// A map per iteration.
func perIteration(groups [][]string) {
	var wg sync.WaitGroup
	for _, g := range groups {
		m := make(map[string]int)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, s := range g {
				m[s]++
			}
		}()
	}
	wg.Wait()
}

// A slice element by index: each goroutine its own.
func byIndex(paths []string) []int {
	out := make([]int, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = len(p)
		}()
	}
	wg.Wait()
	return out
}

// sync.Map is safe for concurrent use.
func syncMap(keys []string) {
	var m sync.Map
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.Store(k, true)
		}()
	}
	wg.Wait()
}

// The loop waits for each goroutine before starting the next.
func oneAtATime(keys []string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		done := make(chan struct{})
		go func() {
			defer close(done)
			out[k] = len(k)
		}()
		<-done
	}
	return out
}

// An errgroup limited to one goroutine at a time.
func limited(keys []string) (map[string]int, error) {
	out := map[string]int{}
	var g errgroup.Group
	g.SetLimit(1)
	for _, k := range keys {
		g.Go(func() error {
			out[k] = len(k)
			return nil
		})
	}
	return out, g.Wait()
}

// A semaphore of unknown size taken before each goroutine.
func semaphore(keys []string, sem chan struct{}) map[string]int {
	out := map[string]int{}
	var wg sync.WaitGroup
	for _, k := range keys {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[k] = len(k)
		}()
	}
	wg.Wait()
	return out
}

// Not in a loop: one goroutine.
func single(out map[string]int) {
	done := make(chan struct{})
	go func() {
		out["a"] = 1
		close(done)
	}()
	<-done
}

// Started at most once: the loop returns right after.
func first(keys []string, out map[string]int) {
	for _, k := range keys {
		if len(k) > 3 {
			go func() { out[k] = 1 }()
			return
		}
	}
}

type client struct{}

func (client) Do(req string) (int, error) { return len(req), nil }

// A method named Do that is not sync.Once's.
func statuses(c client, urls []string) map[string]int {
	out := map[string]int{}
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, err := c.Do(u); err == nil {
				out[u] = code // want `map out is written by every goroutine this loop starts`
			}
		}()
	}
	wg.Wait()
	return out
}

// A semaphore of 8 lets 8 goroutines write at once.
func bounded(keys []string) map[string]int {
	out := map[string]int{}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, k := range keys {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[k] = len(k) // want `map out is written by every goroutine this loop starts`
		}()
	}
	wg.Wait()
	return out
}

var cache = map[int]int{}

var hits int

// Package-level variables are shared by every goroutine.
func warm(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache[i] = i * i // want `map cache is written by every goroutine this loop starts`
		}()
	}
	wg.Wait()
}
