//go:build go1.22

package loopvarfix

import "sync"

// This file's build line raises its language to go 1.22: one variable per iteration.
func runAll122(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job.Run()
		}()
	}
	wg.Wait()
}
