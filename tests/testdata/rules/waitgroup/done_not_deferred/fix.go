package done_not_deferred

import "sync"

// Fixtures for `goconc fix`: fix.go.golden has the safe fixes applied, fix.go.unsafe.golden
// the unsafe ones too.

func fixWork(s string) int { return len(s) }

// Safe fix: Done is the last thing the goroutine does, and it defers nothing else.
func fixSafe(jobs []string) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			if j == "" {
				return
			}
			fixWork(j)
			wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 17 skips it`
		}()
	}
	wg.Wait()
}

// Safe fix: each Done is followed by a bare return.
func fixSafeReturns(jobs []string) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			switch {
			case j == "":
				return
			case len(j) > 10:
				wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 34 skips it`
				return
			}
			fixWork(j)
			wg.Done()
		}()
	}
	wg.Wait()
}

// Unsafe fix: the send after Done now happens before Wait returns (the reader here runs
// only after Wait: the fixed code would deadlock if the channel had no buffer).
func fixUnsafeAfter(jobs []string) []int {
	var wg sync.WaitGroup
	out := make(chan int, len(jobs))
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			if j == "" {
				return
			}
			n := fixWork(j)
			wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 55 skips it`
			out <- n
		}()
	}
	wg.Wait()
	close(out)
	var got []int
	for n := range out {
		got = append(got, n)
	}
	return got
}

// Unsafe fix: the goroutine's other deferred call now runs before Done instead of after.
func fixUnsafeDefer(jobs []string, mu *sync.Mutex) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			mu.Lock()
			defer mu.Unlock()
			if j == "" {
				return
			}
			fixWork(j)
			wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 80 skips it`
		}()
	}
	wg.Wait()
}

// No fix: one path calls Done twice (the goroutine counts for two).
func fixTwice(j string) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		if j == "" {
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 95 skips it`
		fixWork(j)
		wg.Done()
	}()
	wg.Wait()
}

// No fix: the variable changes before Done, so a defer at the top would take another
// WaitGroup.
func fixReassigned(a, b *sync.WaitGroup, j string) {
	go func(wg *sync.WaitGroup) {
		if j == "" {
			return
		}
		wg = b
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line 109 skips it`
	}(a)
}

// Not reported: the early return calls Done through a method value (a defer at the top
// would call it twice: negative WaitGroup counter).
func fixDoneValue(f func() error) {
	var wg sync.WaitGroup
	wg.Add(1)
	done := wg.Done
	go func() {
		if f() != nil {
			done()
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

// Not reported: Add(-1) is a Done.
func fixAddMinusOne(f func() error) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if f() != nil {
			wg.Add(-1)
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

// Reported but not fixed: the WaitGroup's address leaves the function, and what gets it may
// call Done for the path that skips it.
func fixAddrEscapes(f func() error, watch func(*sync.WaitGroup)) {
	var wg sync.WaitGroup
	wg.Add(1)
	watch(&wg)
	go func() {
		if f() != nil {
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
	}()
	wg.Wait()
}

// Reported but not fixed: the goroutine calls a function value the analysis cannot follow.
func fixUnknownCall(f func() error, onErr func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if f() != nil {
			onErr()
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
	}()
	wg.Wait()
}
