package wait_before_receive

import "sync"

// Wait and close in a goroutine of their own while the function receives.
func collector(paths []string) []int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []int64
	for s := range ch {
		out = append(out, s)
	}
	return out
}

// Buffered with room for every result.
func buffered(paths []string) []int64 {
	ch := make(chan int64, len(paths))
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	wg.Wait()
	close(ch)
	var out []int64
	for s := range ch {
		out = append(out, s)
	}
	return out
}

// The function receives every result before it waits.
func receiveFirst(paths []string) []int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- size(p)
		}()
	}
	out := make([]int64, 0, len(paths))
	for range paths {
		out = append(out, <-ch)
	}
	wg.Wait()
	return out
}

// Done before the send: Wait returns; the receive comes after.
func doneFirst(p string) int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		ch <- size(p)
	}()
	wg.Wait()
	return <-ch
}

// A different WaitGroup from the one the goroutine signals.
func otherGroup(p string, other *sync.WaitGroup) int64 {
	ch := make(chan int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch <- size(p)
	}()
	other.Wait()
	v := <-ch
	wg.Wait()
	return v
}

// The goroutine gives up through a select.
func selecting(p string, stop chan struct{}) {
	ch := make(chan int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case ch <- size(p):
		case <-stop:
		}
	}()
	wg.Wait()
}

// Another goroutine receives: the channel is not the function's alone.
func otherReceiver(p string, sink func(int64)) {
	ch := make(chan int64)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		ch <- size(p)
	}()
	go func() {
		defer wg.Done()
		sink(<-ch)
	}()
	wg.Wait()
}
