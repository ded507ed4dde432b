package done_not_deferred

import (
	"context"
	"sync"
	"time"
)

func poke() {}

// A loop over a ticker channel ends only through the return: every way out calls Done.
func stress(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for range time.NewTicker(500 * time.Millisecond).C {
			select {
			case <-ctx.Done():
				wg.Done()
				return
			default:
			}
			poke()
		}
	}()
	wg.Wait()
}

// A counted loop does end by itself, and then the goroutine finishes without Done.
func stressCounted(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for i := 0; i < 100; i++ {
			select {
			case <-ctx.Done():
				wg.Done() // want `wg.Done\(\) is not deferred`
				return
			default:
			}
			poke()
		}
	}()
	wg.Wait()
}
