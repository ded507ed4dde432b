package wait_in_goroutine

import (
	"context"
	"sync"

	"fixtures/internal/errgroup"
)

func work() int { return 1 }

// The doc's Example.
func docExample(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- work()
		wg.Wait() // want `^wg.Wait\(\) inside a goroutine that wg counts: it waits for this goroutine's own wg.Done\(\), which runs only after Wait returns; this deadlocks$`
		close(results)
	}()
}

// The doc's "Use instead".
func docUseInstead(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- work()
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
}

// A plain Done after the Wait.
func plainDoneAfter(results chan int) {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			results <- work()
			if i == 0 {
				wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
			}
			wg.Done()
		}()
	}
}

// Done before Wait: the goroutine leaves the count, then waits for the others (a barrier).
func barrier(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			work()
			wg.Done()
			wg.Wait()
			work()
		}()
	}
}

// Waits for its own children on another WaitGroup: fine.
func children(results chan int) {
	var outer sync.WaitGroup
	outer.Add(1)
	go func() {
		defer outer.Done()
		var inner sync.WaitGroup
		for i := 0; i < 3; i++ {
			inner.Add(1)
			go func() {
				defer inner.Done()
				results <- work()
			}()
		}
		inner.Wait()
	}()
	outer.Wait()
}

// The same with the inner WaitGroup shadowing the outer name.
func shadowed(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- work()
		}()
		wg.Wait()
	}()
	wg.Wait()
}

// Counts itself again after the Wait: the later Done balances that Add.
func recount(results chan int) {
	var wg sync.WaitGroup
	go func() {
		wg.Wait()
		wg.Add(1)
		results <- work()
		wg.Done()
	}()
}

// Per-item Done in a loop: the Wait waits for other items.
func perItem(jobs chan int) {
	var wg sync.WaitGroup
	go func() {
		for j := range jobs {
			_ = j
			wg.Done()
		}
	}()
	go func() {
		wg.Wait()
		for range jobs {
			wg.Done()
		}
	}()
}

// sync.WaitGroup.Go (Go 1.25) counts the function until it returns.
func waitGroupGo(results chan int) {
	var wg sync.WaitGroup
	wg.Go(func() {
		results <- work()
		wg.Wait() // want `wg.Wait\(\) inside a function run by wg.Go: wg counts this function until it returns, so Wait waits for itself; this deadlocks`
	})
	var other sync.WaitGroup
	other.Add(1)
	go func() {
		defer other.Done()
		results <- work()
	}()
	wg.Go(func() {
		other.Wait()
		close(results)
	})
	wg.Wait()
}

// errgroup: goconc knows golang.org/x/sync/errgroup only by its import path, so this stub's
// Group is not recognised (and errgroup's Wait is not a WaitGroup call).
func errGroup(ctx context.Context) error {
	g, _ := errgroup.WithContext(ctx)
	g.Go(func() error {
		return g.Wait() // todo-want `g.Wait\(\) inside a function run by g.Go`
	})
	return g.Wait()
}

// Done deferred through a closure.
func deferredClosure(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer func() {
			wg.Done()
		}()
		results <- work()
		wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
	}()
}

// A deferred Wait that runs before the deferred Done (defers run last first) deadlocks too,
// and is reported.
func deferredWait(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
		results <- work()
	}()
}

// Deferred in the other order: Done runs first, then the Wait for the others. Fine.
func deferredWaitAfterDone(results chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Wait()
		defer wg.Done()
		results <- work()
	}()
}
