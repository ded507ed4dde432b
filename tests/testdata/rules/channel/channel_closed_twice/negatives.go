package channel_closed_twice

import (
	"os"
	"sync"
)

// Closed on one branch or the other: once on every path.
func eitherBranch(ch chan int, a bool) {
	if a {
		close(ch)
	} else {
		close(ch)
	}
}

// Correlated branches: a may analysis would flag this, a must analysis does not.
func correlated(ch chan int, a bool) {
	if a {
		close(ch)
	}
	ch2 := make(chan int)
	close(ch2)
	if !a {
		close(ch)
	}
}

// A new channel before the second close.
func remake() {
	ch := make(chan int)
	close(ch)
	ch = make(chan int)
	close(ch)
}

type Hub struct {
	done chan struct{}
	once sync.Once
}

func (h *Hub) reset() { h.done = make(chan struct{}) }

// A method of the package may store a new channel in the field.
func (h *Hub) Restart() {
	close(h.done)
	h.reset()
	close(h.done)
}

// Guarded by a sync.Once.
func (h *Hub) Close() {
	h.once.Do(func() { close(h.done) })
	h.once.Do(func() { close(h.done) })
}

// One channel per iteration.
func perIteration(n int) {
	for i := 0; i < n; i++ {
		ch := make(chan int)
		close(ch)
	}
}

// The loop leaves right after closing.
func firstOnly(chs []chan int, done chan struct{}) {
	for _, c := range chs {
		if c == nil {
			continue
		}
		close(done)
		return
	}
}

// Only some iterations close (the last one, say).
func closeLast(items []int, done chan struct{}) {
	for i := range items {
		if i == len(items)-1 {
			close(done)
		}
	}
}

// A for-select that closes and returns.
func loopSelect(in chan int, done chan struct{}) {
	for {
		select {
		case v, ok := <-in:
			if !ok {
				close(done)
				return
			}
			_ = v
		}
	}
}

// Elements by a variable index are different channels.
func elements(chs []chan int) {
	for i := range chs {
		close(chs[i])
	}
	close(chs[0])
}

// A deferred close that is conditional in its literal does not count.
func conditionalDefer(ch chan int, owned bool) {
	defer func() {
		if owned {
			close(ch)
		}
	}()
	close(ch)
}

// The deferred close covers the other channel.
func deferOther(a, b chan int) {
	defer close(a)
	close(b)
}

// os.Exit does not run deferred calls.
func exitOnError(ch chan int, bad bool) {
	defer close(ch)
	if bad {
		close(ch)
		os.Exit(1)
	}
}

// `defer close(ch)` is bound to the channel ch held when the defer ran.
func rebound() {
	ch := make(chan int)
	defer close(ch)
	ch = make(chan int)
	close(ch)
}

var quit = make(chan struct{})

func restart() { quit = make(chan struct{}) }

// A function of the package may store a new channel in a package-level variable.
func cycle() {
	close(quit)
	restart()
	close(quit)
}

// A closure of the function may store a new channel in its local.
func renewLocal() {
	ready := make(chan struct{})
	renew := func() { ready = make(chan struct{}) }
	close(ready)
	renew()
	close(ready)
}
