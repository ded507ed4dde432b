package send_on_closed_channel

import (
	"context"
	"sync"
)

// The function receives before it closes on every path.
func received(url string) string {
	ch := make(chan string)
	go func() {
		ch <- download(url)
	}()
	s := <-ch
	close(ch)
	return s
}

// A buffered channel the function does not close.
func buffered(ctx context.Context, url string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- download(url)
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// The sender closes it.
func senderCloses(n int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; i < n; i++ {
			ch <- i
		}
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

// The goroutine selects on a done channel: it may give up instead of sending.
func selecting(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	defer close(ch)
	go func() {
		select {
		case ch <- download(url):
		case <-ctx.Done():
		}
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// A loop that receives every result before the deferred close.
func all(urls []string) []string {
	ch := make(chan string)
	defer close(ch)
	for _, u := range urls {
		go func() {
			ch <- download(u)
		}()
	}
	out := make([]string, 0, len(urls))
	for range urls {
		out = append(out, <-ch)
	}
	return out
}

// The channel is passed to a call: what it does with it is not seen.
func passed(wg *sync.WaitGroup, url string, sink func(chan string)) {
	ch := make(chan string)
	go func() {
		ch <- download(url)
	}()
	sink(ch)
	close(ch)
}

// Sent before the close, in one function.
func sendThenClose(ch chan int) {
	ch <- 1
	close(ch)
}

// A new channel after the close.
func remade() {
	ch := make(chan int, 1)
	close(ch)
	ch = make(chan int, 1)
	ch <- 1
}

// A function of the package named close is not the builtin.
func shadowed(url string, stop chan struct{}) string {
	close := func(c chan string) {
		for range c {
		}
	}
	ch := make(chan string)
	go func() {
		ch <- download(url)
	}()
	select {
	case s := <-ch:
		return s
	case <-stop:
		close(ch)
		return ""
	}
}

// The deferred close is registered after the early return: that return does not close.
func lateDefer(url string, ok bool) string {
	ch := make(chan string)
	go func() {
		ch <- download(url)
	}()
	if !ok {
		return "" // leaks the goroutine (GC1002's business), but closes nothing
	}
	defer func() { close(ch) }()
	return <-ch
}
