// Package negwg calls Done once too often.
package negwg

import "sync"

// Run runs each job in a goroutine and waits for all of them.
func Run(jobs []func()) {
	var wg sync.WaitGroup
	wg.Add(len(jobs))
	for _, j := range jobs {
		go func(j func()) {
			defer wg.Done()
			j()
			wg.Done() // counted twice
		}(j)
	}
	wg.Wait()
}
