package channel_closed_twice

import (
	"context"
	"errors"
	"sync"
)

var errNegative = errors.New("negative")

// An explicit close on the error path, and the deferred one when the function returns.
func produce(items []int, out chan<- int) error {
	defer close(out)
	for _, it := range items {
		if it < 0 {
			close(out) // want `out is closed here, and the deferred close at line 13 closes it again when the function returns`
			return errNegative
		}
		out <- it
	}
	return nil
}

// The same through a deferred literal.
func produceLit(items []int, out chan int) error {
	defer func() {
		close(out)
	}()
	if len(items) == 0 {
		close(out) // want `out is closed here, and the deferred close at line 27 closes it again`
		return nil
	}
	for _, it := range items {
		out <- it
	}
	return nil
}

type Server struct {
	quit  chan struct{}
	conns chan int
	mu    sync.Mutex
}

// Closed twice on one path, through the field.
func (s *Server) Shutdown(force bool) {
	close(s.quit)
	s.mu.Lock()
	if force {
		close(s.conns)
	}
	s.mu.Unlock()
	close(s.quit) // want `s.quit is closed again here: it is already closed at line 47 on every path that reaches this close`
}

// Every iteration closes done, made outside the loop.
func stopAll(ctx context.Context, workers []chan int) {
	done := make(chan struct{})
	for _, w := range workers {
		close(w)
		close(done) // want `every iteration of the loop at line 59 closes done, made outside it: the second iteration closes it again`
	}
	<-ctx.Done()
}

// Two deferred closes.
func twoDefers(ch chan int) {
	defer close(ch)
	if cap(ch) > 0 {
		ch <- 1
	}
	defer close(ch) // want `ch is closed by a second deferred close: the deferred close at line 68 closes it too`
}

// A conditional close while the deferred close is pending: the deferred one runs on every way
// out, so this path closes twice.
func drain(in <-chan int, out chan int) {
	defer close(out)
	for v := range in {
		if v < 0 {
			close(out) // want `out is closed here, and the deferred close at line 78 closes it again when the function returns`
		}
	}
}

// A panic runs the deferred close too.
func mustPositive(ch chan int, n int) {
	defer close(ch)
	if n < 0 {
		close(ch) // want `ch is closed here, and the deferred close at line 88 closes it again`
		panic("negative")
	}
}

// A deferred literal reads the variable when it runs: the new channel is closed twice.
func renewed() {
	ch := make(chan int)
	defer func() { close(ch) }()
	ch = make(chan int)
	close(ch) // want `ch is closed here, and the deferred close at line 98 closes it again`
}
