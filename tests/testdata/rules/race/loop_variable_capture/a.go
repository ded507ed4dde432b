package loopvarfix

import (
	"fmt"
	"sync"
)

type Job struct{ Name string }

func (j Job) Run() {}

func runAll(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println("running", job.Name) // want `job is the variable of the loop at line 14, one for all its iterations before Go 1.22 \(this module says go 1.21\): this goroutine runs after the loop moves on and sees a later value; copy it \(job := job\) before the go statement`
			job.Run()
		}()
	}
	wg.Wait()
}

func squares(n int) []int {
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = i * i // want `i is the variable of the loop at line 28`
		}()
	}
	wg.Wait()
	return out
}

func closeAll(files []interface{ Close() error }) {
	for _, f := range files {
		defer func() {
			_ = f.Close() // want `f is the variable of the loop at line 40, .* this deferred call runs after the loop moves on`
		}()
	}
}

func nested(groups [][]string) {
	var wg sync.WaitGroup
	for _, g := range groups {
		for _, s := range g {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fmt.Println(g[0], s) // want `s is the variable of the loop at line 50`
			}()
		}
	}
	wg.Wait()
}

// ---- not reported ----

func copied(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		job := job
		wg.Add(1)
		go func() {
			defer wg.Done()
			job.Run()
		}()
	}
	wg.Wait()
}

func passed(jobs []Job) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		wg.Add(1)
		go func(j Job) {
			defer wg.Done()
			j.Run()
		}(job)
	}
	wg.Wait()
}

func waitedEachTime(jobs []Job) {
	for _, job := range jobs {
		done := make(chan struct{})
		go func() {
			defer close(done)
			job.Run()
		}()
		<-done
	}
}

// Declared outside the loop with `=`: not the loop's own variable (and not shared per se).
func assigned(jobs []Job) {
	var job Job
	for _, job = range jobs {
		job.Run()
	}
	_ = job
}

// A function value called right away, in the iteration.
func inPlace(jobs []Job) {
	for _, job := range jobs {
		func() { job.Run() }()
	}
}

// Started once: the loop stops right after.
func firstMatch(xs []int, use func(int)) {
	for _, v := range xs {
		if v > 3 {
			go func() { use(v) }()
			break
		}
	}
	for _, v := range xs {
		if v > 5 {
			go func() { use(v) }()
			return
		}
	}
}
