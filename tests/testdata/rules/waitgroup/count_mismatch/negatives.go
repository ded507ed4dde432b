package count_mismatch

import "sync"

// Add(1) right before each go statement.
func perGoroutine(items []Item) {
	var wg sync.WaitGroup
	for _, it := range items {
		if it.Skip {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}

// The skipping branch calls Done itself.
func doneOnSkip(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for _, it := range items {
		if it.Skip {
			wg.Done()
			continue
		}
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}

// Every item gets its goroutine.
func everyItem(items []Item) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for _, it := range items {
		go func() {
			defer wg.Done()
			handle(it)
		}()
	}
	wg.Wait()
}

// The count matches.
func matched(a, b Item) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); handle(a) }()
	go func() { defer wg.Done(); handle(b) }()
	wg.Wait()
}

// A goroutine started through a func value that calls Done: not counted here, so quiet.
func viaValue(items []Item) {
	var wg sync.WaitGroup
	wg.Add(3)
	worker := func() {
		defer wg.Done()
		for _, it := range items {
			handle(it)
		}
	}
	go func() { defer wg.Done(); handle(items[0]) }()
	go worker()
	go worker()
	wg.Wait()
}

// The WaitGroup is handed to a helper that may count.
func helper(wg *sync.WaitGroup, it Item) {
	defer wg.Done()
	handle(it)
}

func handed(a, b Item) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); handle(a) }()
	go helper(&wg, b)
	wg.Wait()
}

// A conditional goroutine with a constant count: which paths run is not followed.
func conditional(a Item, both bool) {
	var wg sync.WaitGroup
	wg.Add(1)
	if both {
		go func() { defer wg.Done(); handle(a) }()
	} else {
		go func() { defer wg.Done(); handle(a) }()
	}
	wg.Wait()
}
