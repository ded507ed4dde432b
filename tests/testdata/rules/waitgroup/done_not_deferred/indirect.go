package done_not_deferred

import "sync"

// The early return hands Done to another goroutine: fine.
func handOffToGoroutine(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			go func() {
				defer wg.Done()
				retry(u)
			}()
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

func retry(string) {}

// Every path calls a closure that calls Done: fine.
func closure(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		finish := func() { wg.Done() }
		if _, err := fetch(u); err != nil {
			finish()
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

// A closure that calls Done is defined but the early return does not call it.
func closureNotCalled(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		finish := func() { wg.Done() }
		if _, err := fetch(u); err != nil {
			return
		}
		finish()
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
	}()
	wg.Wait()
}

// The early return passes the WaitGroup to a function that may call Done: not sure, quiet.
func passedOn(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			cleanup(&wg)
			return
		}
		wg.Done()
	}()
	wg.Wait()
}

func cleanup(wg *sync.WaitGroup) { wg.Done() }

type job struct {
	wg  sync.WaitGroup
	err error
}

func (j *job) fail(err error) {
	j.err = err
	j.wg.Done()
}

// The early return calls a method that calls Done: fine.
func (j *job) run(u string) {
	j.wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			j.fail(err)
			return
		}
		j.wg.Done()
	}()
	j.wg.Wait()
}

// Done in a nested goroutine only: this goroutine does not count itself.
func nestedOnly(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if u == "" {
			return
		}
		go func() {
			wg.Done()
		}()
	}()
	wg.Wait()
}

// A shadowed WaitGroup: the inner wg.Done is another variable's.
func shadowed(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		{
			var wg sync.WaitGroup
			wg.Add(1)
			if u == "" {
				return
			}
			wg.Done()
		}
	}()
	wg.Wait()
}
