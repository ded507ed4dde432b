package done_not_deferred

import (
	"errors"
	"log"
	"os"
	"runtime"
	"sync"
)

var errFetch = errors.New("fetch failed")

func fetch(u string) (string, error) {
	if u == "" {
		return "", errFetch
	}
	return u, nil
}

// The doc's Example: the error path returns before Done.
func docExample(urls []string) []string {
	var wg sync.WaitGroup
	results := make(chan string, len(urls))
	for _, u := range urls {
		wg.Add(1)
		go func() {
			res, err := fetch(u)
			if err != nil {
				return // wg.Done never runs: Wait hangs
			}
			results <- res
			wg.Done() // want `^wg.Done\(\) is not deferred, and a path that returns at line 29 skips it: wg.Wait\(\) will block forever; use defer wg.Done\(\) at the top of the goroutine$`
		}()
	}
	wg.Wait()
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

// The doc's "Use instead": deferred.
func docUseInstead(urls []string) {
	var wg sync.WaitGroup
	results := make(chan string, len(urls))
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := fetch(u)
			if err != nil {
				return
			}
			results <- res
		}()
	}
	wg.Wait()
}

// Deferred through a closure: fine.
func deferredClosure(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer func() {
				wg.Done()
			}()
			if _, err := fetch(u); err != nil {
				return
			}
		}()
	}
	wg.Wait()
}

// Done on every path, early returns included: fine.
func doneOnEveryPath(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			if _, err := fetch(u); err != nil {
				wg.Done()
				return
			}
			if u == "skip" {
				wg.Done()
			} else {
				wg.Done()
			}
		}()
	}
	wg.Wait()
}

// Done only in some switch branches.
func switchBranches(kinds []int) {
	var wg sync.WaitGroup
	for _, k := range kinds {
		wg.Add(1)
		go func() {
			switch k {
			case 0:
				wg.Done() // want `wg.Done\(\) is not deferred, and a path that reaches the end of the goroutine skips it`
			case 1:
				wg.Done()
			}
		}()
	}
	wg.Wait()
}

// Every switch branch, default included: fine.
func switchAllBranches(kinds []int) {
	var wg sync.WaitGroup
	for _, k := range kinds {
		wg.Add(1)
		go func() {
			switch k {
			case 0:
				wg.Done()
			default:
				wg.Done()
			}
		}()
	}
	wg.Wait()
}

// Done only in one select branch.
func selectBranches(ch <-chan int, quit <-chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		select {
		case v := <-ch:
			_ = v
			wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
		case <-quit:
			return
		}
	}()
	wg.Wait()
}

// runtime.Goexit ends the goroutine; deferred calls run, a plain Done does not.
func goexit(ok bool) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if !ok {
			runtime.Goexit()
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that calls runtime.Goexit at line \d+ skips it`
	}()
	wg.Wait()
}

// A recovered panic: the goroutine returns normally without Done.
func recoveredPanic(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Print(r)
			}
		}()
		if n < 0 {
			panic("negative")
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that panics at line \d+ \(recovered by the deferred recover\) skips it`
	}()
	wg.Wait()
}

// An unrecovered panic crashes the program: the missing Done does not matter.
func unrecoveredPanic(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if n < 0 {
			panic("negative")
		}
		wg.Done()
	}()
	wg.Wait()
}

// The process ends: not a hang.
func processExit(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if n < 0 {
			log.Fatal("negative")
		}
		if n == 0 {
			os.Exit(2)
		}
		wg.Done()
	}()
	wg.Wait()
}

// A recover in a nested goroutine does not protect this one: the panic crashes the program.
func recoverElsewhere(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		go func() {
			defer func() { _ = recover() }()
		}()
		if n < 0 {
			panic("negative")
		}
		wg.Done()
	}()
	wg.Wait()
}

// The deferred recover calls Done itself: every path is covered.
func recoverCallsDone(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				wg.Done()
			}
		}()
		if n < 0 {
			panic("negative")
		}
		wg.Done()
	}()
	wg.Wait()
}
