package leaked_sender

import (
	"context"
	"time"
)

// Buffered: the send completes whether or not anyone receives.
func buffered(ctx context.Context) int {
	ch := make(chan int, 1)
	go func() { ch <- 1 }()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

// The goroutine gives up too.
func selectSend(ctx context.Context) int {
	ch := make(chan int)
	go func() {
		select {
		case ch <- 1:
		case <-ctx.Done():
		}
	}()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Always received.
func always() int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	return <-ch
}

// A loop that receives as many values as goroutines were started, with no way out.
func gather(n int) []int {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() { ch <- i }()
	}
	var out []int
	for i := 0; i < n; i++ {
		out = append(out, <-ch)
	}
	return out
}

// Ranged over: the close protocol decides, not checked.
func ranged() (sum int) {
	ch := make(chan int)
	go func() {
		defer close(ch)
		ch <- 1
	}()
	for v := range ch {
		sum += v
	}
	return sum
}

// Passed to another function: who receives is not seen here.
func passed(ctx context.Context, consume func(chan int)) {
	ch := make(chan int)
	go func() { ch <- 1 }()
	consume(ch)
}

// Drained on the way out.
func drained(ctx context.Context) int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	defer func() { <-ch }()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

// Closed by the function: a different problem (a send on a closed channel panics).
func closedHere(ctx context.Context) int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Second):
		close(ch)
		return 0
	}
}

// The timeout case panics: the program is going down anyway.
func panics(ctx context.Context) int {
	ch := make(chan int)
	go func() { ch <- 1 }()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		panic("cancelled")
	}
}

// A package-level or field channel is shared: not checked.
var shared = make(chan int)

func global(ctx context.Context) int {
	go func() { shared <- 1 }()
	select {
	case v := <-shared:
		return v
	case <-ctx.Done():
		return 0
	}
}

// The goroutine sends on exactly one of two channels, and both are received: no leak.
func oneOfTwo(compute func() (int, error)) (int, error) {
	errCh := make(chan error)
	resCh := make(chan int)
	go func() {
		v, err := compute()
		if err != nil {
			errCh <- err
			return
		}
		resCh <- v
	}()
	select {
	case err := <-errCh:
		return 0, err
	case v := <-resCh:
		return v, nil
	}
}

// A counted receive loop whose exit test comes first.
func counted(items []int) (s int) {
	ch := make(chan int)
	for _, it := range items {
		go func() { ch <- it }()
	}
	n := 0
	for {
		if n == len(items) {
			return s
		}
		s += <-ch
		n++
	}
}

// The parameter is handed on: who sends is not seen.
func handedOn(ctx context.Context, produce func(chan<- int)) int {
	ch := make(chan int)
	go func(out chan<- int) {
		produce(out)
	}(ch)
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}
