// Package loopvar captures a loop variable in goroutines under go 1.21 semantics.
package loopvar

import "sync"

// SumSquares adds up i*i for i in [0, n), one goroutine per term.
func SumSquares(n int) int {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		total int
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			total += i * i // i is shared by every iteration before go 1.22
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}
