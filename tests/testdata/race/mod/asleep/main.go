// Command asleep waits for a worker that never signals: all goroutines are asleep.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	results := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		results <- 42 // nobody receives before Wait returns
	}()
	wg.Wait()
	fmt.Println(<-results)
}
