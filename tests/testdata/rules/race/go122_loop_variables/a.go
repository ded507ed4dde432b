package loopvarfix122

import "sync"

type Job struct{ Name string }

func (j Job) Run() {}

// From go 1.22 each iteration has its own variables: nothing to report.
func runAll(jobs []Job) {
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
