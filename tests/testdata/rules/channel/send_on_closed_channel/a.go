package send_on_closed_channel

import (
	"context"
	"errors"
	"time"
)

func download(url string) string { return url }

// The deferred close runs when ctx is done, while the goroutine still sends.
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	defer close(ch)
	go func() {
		ch <- download(url) // want `this goroutine's send on ch panics \(send on closed channel\) if the function closes ch with its deferred close at line 14 when it returns at line 22 \(through .case <-ctx.Done\(\). at line 21\)`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// "Clean up" on the timeout path.
func withTimeout(url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- download(url) // want `panics \(send on closed channel\) if the function closes ch at line 36 \(through .case <-time.After\(time.Second\). at line 35\)`
	}()
	select {
	case s := <-ch:
		return s, nil
	case <-time.After(time.Second):
		close(ch)
		return "", errors.New("timeout")
	}
}

func produce(out chan<- int, n int) {
	for i := 0; i < n; i++ {
		out <- i
	}
}

// A worker of the package handed the channel; the function returns early on an error.
func first(n int, check func() error) (int, error) {
	ch := make(chan int)
	defer close(ch)
	go produce(ch, n) // want `the goroutine running produce panics \(send on closed channel\) if the function closes ch with its deferred close at line 50 when it returns at line 53`
	if err := check(); err != nil {
		return 0, err
	}
	return <-ch, nil
}

// Sent after the close, in one function.
func notify(ch chan int, v int) {
	close(ch)
	if v > 0 {
		v--
	}
	ch <- v // want `send on ch, which is already closed \(closed at line 60\) on every path that reaches this send`
}
