package racymap

import (
	"sync"
	"testing"
)

func TestSetGet(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			c.Set("a", i)
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			_ = c.Get("a")
		}
	}()
	wg.Wait()
}
