// Package closedchan closes its output while a producer may still send.
package closedchan

import "time"

// Produce starts n producers and closes the channel after a fixed delay instead of waiting.
func Produce(n int) <-chan int {
	out := make(chan int)
	for i := 0; i < n; i++ {
		go func(v int) {
			time.Sleep(20 * time.Millisecond)
			out <- v
		}(i)
	}
	go func() {
		time.Sleep(5 * time.Millisecond)
		close(out) // producers are still running
	}()
	return out
}
