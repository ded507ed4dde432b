package wait_before_receive

import (
	"sync"

	"fixtures/internal/errgroup"
)

func size(p string) int64 { return int64(len(p)) }

// The classic: Wait before the range that would let the senders go on.
func sizes(paths []string) []int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	wg.Wait() // want `wg.Wait\(\) waits for the goroutine started at line 17, which first sends on ch: ch is unbuffered and received from only after the Wait \(line 25\)`
	close(ch)
	var out []int64
	for s := range ch {
		out = append(out, s)
	}
	return out
}

// One goroutine, Done after the send, and nothing receives at all.
func single(p string) {
	var wg sync.WaitGroup
	done := make(chan bool)
	wg.Add(1)
	go func() {
		done <- size(p) > 0
		wg.Done()
	}()
	wg.Wait() // want `waits for the goroutine started at line 36, which first sends on done: done is unbuffered and nothing receives from it`
}

// errgroup: the group waits until each function returns, after its send.
func groups(paths []string) ([]int64, error) {
	ch := make(chan int64)
	var g errgroup.Group
	for _, p := range paths {
		g.Go(func() error {
			ch <- size(p)
			return nil
		})
	}
	if err := g.Wait(); err != nil { // want `g.Wait\(\) waits for the goroutine started at line 48`
		return nil, err
	}
	out := make([]int64, 0, len(paths))
	for range paths {
		out = append(out, <-ch)
	}
	return out, nil
}
