package count_mismatch

import "sync"

type Item struct {
	Skip bool
	N    int
}

func handle(it Item) { _ = it.N }

// continue skips the goroutine but not the count.
func process(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items)) // want `wg.Add\(len\(items\)\) counts one goroutine per item, but an iteration can skip the go statement at line 20 \(.continue. at line 18\)`
	for _, it := range items {
		if it.Skip {
			continue
		}
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}

// The go statement only runs on one branch.
func positives(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items)) // want `an iteration can skip the go statement at line 34 \(the .if. at line 33\)`
	for _, it := range items {
		if it.N > 0 {
			go func() {
				defer wg.Done()
				handle(it)
			}()
		}
	}
	wg.Wait()
}

// Counted once, started once per iteration.
func fanOut(items []Item) {
	var wg sync.WaitGroup
	wg.Add(1) // want `wg.Add\(1\) counts one goroutine, but the loop at line 47 starts one per iteration`
	for _, it := range items {
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}

// Two counted, one started.
func pair(a, b Item) {
	var wg sync.WaitGroup
	wg.Add(2) // want `wg.Add\(2\) counts 2 goroutines, but the function starts only one that calls wg.Done\(\): Wait blocks for good`
	go func() {
		defer wg.Done()
		handle(a)
	}()
	handle(b)
	wg.Wait()
}

// Two counted, three started.
func three(a, b, c Item) {
	wg := &sync.WaitGroup{}
	wg.Add(2) // want `counts 2 goroutines, but the function starts 3 that call wg.Done\(\): the counter goes negative`
	go func() { defer wg.Done(); handle(a) }()
	go func() { defer wg.Done(); handle(b) }()
	go func() { defer wg.Done(); handle(c) }()
	wg.Wait()
}
