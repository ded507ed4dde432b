package cond_wait_not_in_loop

import (
	"sync"
	"testing"
	"time"
)

// A test that starts the signaller itself and orders the two sides.
func TestWaitForSignal(t *testing.T) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait()
	mu.Unlock()
}
