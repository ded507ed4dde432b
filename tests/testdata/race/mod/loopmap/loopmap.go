// Package loopmap starts one goroutine per item, all writing one map: goconc check flags the
// write (GC7001); go test -race reports a data race there, or the runtime stops the binary
// (fatal error: concurrent map writes) when two writes really overlap.
package loopmap

import "sync"

// Lengths maps each word to its length, one goroutine per word, all writing one map.
func Lengths(words []string) map[string]int {
	out := make(map[string]int)
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			out[w] = len(w)
		}(w)
	}
	wg.Wait()
	return out
}
