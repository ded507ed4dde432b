package done_not_deferred

import (
	"fmt"
	"sync"
)

// A goroutine started through a helper function: the helper is the goroutine's body.
func worker(id int, jobs <-chan string, wg *sync.WaitGroup) {
	for u := range jobs {
		if _, err := fetch(u); err != nil {
			fmt.Println(id, err)
			return
		}
	}
	wg.Done() // want `wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
}

func startWorkers(jobs <-chan string) {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go worker(i, jobs, &wg)
	}
	wg.Wait()
}

// A helper that defers Done: fine.
func goodWorker(jobs <-chan string, wg *sync.WaitGroup) {
	defer wg.Done()
	for u := range jobs {
		if _, err := fetch(u); err != nil {
			return
		}
	}
}

func startGoodWorkers(jobs <-chan string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go goodWorker(jobs, &wg)
	wg.Wait()
}

// Never started as a goroutine: the caller takes care of Done on the error path.
func step(u string, wg *sync.WaitGroup) error {
	if _, err := fetch(u); err != nil {
		return err
	}
	wg.Done()
	return nil
}

func runSteps(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		if err := step(u, &wg); err != nil {
			wg.Done()
		}
	}
	wg.Wait()
}

// A method started as a goroutine.
type crawler struct {
	wg   sync.WaitGroup
	urls []string
}

func (c *crawler) loop() {
	for _, u := range c.urls {
		if u == "" {
			return
		}
	}
	c.wg.Done() // want `c.wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
}

func (c *crawler) start() {
	c.wg.Add(1)
	go c.loop()
}

// Generic code.
func parallel[T any](items []T, f func(T) error) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(v T) {
			if err := f(v); err != nil {
				return
			}
			wg.Done() // want `wg.Done\(\) is not deferred`
		}(it)
	}
	wg.Wait()
}

// sync.WaitGroup.Go (Go 1.25) counts the function itself: there is no Done to forget.
func waitGroupGo(urls []string) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			if _, err := fetch(u); err != nil {
				return
			}
		})
	}
	wg.Wait()
}
