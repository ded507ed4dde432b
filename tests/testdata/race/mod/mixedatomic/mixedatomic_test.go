package mixedatomic

import (
	"sync"
	"testing"
)

func TestGetWhileClosing(t *testing.T) {
	p := &Pool{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 1000; i++ {
			_ = p.Get()
		}
	}()
	go func() {
		defer wg.Done()
		p.Close()
	}()
	wg.Wait()
}
