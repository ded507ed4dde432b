// Package mapcrash writes one map from several goroutines: the runtime aborts the program.
package mapcrash

import "sync"

// Tally counts words with one goroutine per chunk, all writing the same map.
func Tally(chunks [][]string) map[string]int {
	counts := map[string]int{}
	var wg sync.WaitGroup
	for _, chunk := range chunks {
		wg.Add(1)
		go func(words []string) {
			defer wg.Done()
			for _, w := range words {
				counts[w]++
			}
		}(chunk)
	}
	wg.Wait()
	return counts
}
