// Package loopwrites starts one goroutine per item, and each one writes what they all share:
// goconc check flags each write (GC7002, GC7003), go test -race sees the same lines (GC7001's
// map is in loopmap: two map writes that really overlap stop the whole test binary).
package loopwrites

import (
	"strings"
	"sync"
)

// Upper returns the words in upper case, appended by one goroutine per word.
func Upper(words []string) []string {
	var up []string
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			up = append(up, strings.ToUpper(w))
		}(w)
	}
	wg.Wait()
	return up
}

// Long counts the words longer than n, one goroutine per word, all adding to one counter.
func Long(words []string, n int) int {
	count := 0
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			if len(w) > n {
				count++
			}
		}(w)
	}
	wg.Wait()
	return count
}
