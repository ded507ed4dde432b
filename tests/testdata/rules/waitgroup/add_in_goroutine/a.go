package add_in_goroutine

import (
	"sync"
)

func fetch(u string) string { return u }

// The doc's Example.
func docExample(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		go func() {
			wg.Add(1) // want `^wg.Add called inside the goroutine it counts: it can run after wg.Wait\(\) has returned; call wg.Add before the go statement$`
			defer wg.Done()
			fetch(u)
		}()
	}
	wg.Wait()
}

// The doc's "Use instead".
func docUseInstead(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fetch(u)
		}()
	}
	wg.Wait()
}

// Add in the middle of the body, a plain Done at the end.
func addInTheMiddle(urls []string) []string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var out []string
	for _, u := range urls {
		go func() {
			r := fetch(u)
			if r == "" {
				return
			}
			wg.Add(1) // want `wg.Add called inside the goroutine it counts`
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
			wg.Done()
		}()
	}
	wg.Wait()
	return out
}

// Add for child goroutines that this goroutine starts: the parent counted this one.
func childGoroutines(groups [][]string) {
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range g {
				wg.Add(1)
				go func() {
					defer wg.Done()
					fetch(u)
				}()
			}
		}()
	}
	wg.Wait()
}

// Add for one child, not in a loop: the parent counted this goroutine, so the count cannot
// drop to zero before the child is counted.
func oneChild(stop chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-stop
		}()
		<-stop
	}()
	wg.Wait()
}

// An uncounted goroutine that counts a child: wg.Wait may return before the Add runs (go vet
// reports this one), but the goroutine does not count itself, which is all this rule checks.
func uncountedChild(stop chan struct{}) {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1) // todo-want `wg.Add called inside`
		go func() {
			defer wg.Done()
			<-stop
		}()
	}()
	wg.Wait()
}

// Per-item Add and Done in a worker loop: counts items, not the goroutine.
func perItem(jobs <-chan string) {
	var wg sync.WaitGroup
	go func() {
		for j := range jobs {
			wg.Add(1)
			fetch(j)
			wg.Done()
		}
	}()
	wg.Wait()
}

// The parent already counted the goroutine; the inner Add/Done pair counts a phase of its work.
func countedBefore(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		wg.Add(1)
		fetch(u)
		wg.Done()
	}()
	wg.Wait()
}

// Add that hands the WaitGroup to a function (which may start the counted goroutine).
func spawn(wg *sync.WaitGroup, u string) {
	go func() {
		defer wg.Done()
		fetch(u)
	}()
}

func handedOn(u string) {
	var wg sync.WaitGroup
	go func() {
		defer wg.Done()
		wg.Add(1)
		spawn(&wg, u)
	}()
	wg.Wait()
}

// An Add that counts other work, with no Done of this goroutine.
func otherWork(results chan<- string, u string) {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)
		results <- fetch(u)
	}()
	wg.Wait()
}

// Add(-1) is a Done.
func negativeAdd(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		wg.Add(-1)
		wg.Add(1)
		fetch(u)
	}()
	wg.Wait()
}

// Done first, Add later: not the goroutine counting itself.
func doneThenAdd(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		fetch(u)
		wg.Done()
		wg.Add(1)
	}()
	wg.Wait()
}

// A WaitGroup of the goroutine's own.
func ownWaitGroup(urls []string) {
	go func() {
		var wg sync.WaitGroup
		wg.Add(1)
		fetch(urls[0])
		wg.Done()
		wg.Wait()
	}()
}

// sync.WaitGroup.Go counts the function: an Add/Done pair inside balances itself.
func waitGroupGo(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			wg.Add(1)
			defer wg.Done()
			fetch(u)
		})
	}
	wg.Wait()
}

// Done deferred through a closure.
func deferredClosure(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		go func() {
			wg.Add(1) // want `wg.Add called inside the goroutine it counts`
			defer func() {
				wg.Done()
			}()
			fetch(u)
		}()
	}
	wg.Wait()
}
