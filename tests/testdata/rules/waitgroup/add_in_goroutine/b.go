package add_in_goroutine

import (
	s "sync"
)

type server struct {
	wg    s.WaitGroup
	conns chan int
}

// A WaitGroup field, an aliased import.
func (srv *server) serve() {
	for c := range srv.conns {
		go func() {
			srv.wg.Add(1) // want `srv.wg.Add called inside the goroutine it counts`
			defer srv.wg.Done()
			_ = c
		}()
	}
}

func (srv *server) shutdown() { srv.wg.Wait() }

// A pointer parameter.
func pointerParam(wg *s.WaitGroup, urls []string) {
	for _, u := range urls {
		go func() {
			wg.Add(1) // want `wg.Add called inside the goroutine it counts`
			defer wg.Done()
			fetch(u)
		}()
	}
}

// The WaitGroup passed to the goroutine's literal.
func literalParam(urls []string) {
	var wg s.WaitGroup
	for _, u := range urls {
		go func(w *s.WaitGroup) {
			w.Add(1) // want `w.Add called inside the goroutine it counts`
			defer w.Done()
			fetch(u)
		}(&wg)
	}
	wg.Wait()
}

// The same, but the parent counted it first.
func literalParamCounted(urls []string) {
	var wg s.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func(w *s.WaitGroup) {
			defer w.Done()
			w.Add(1)
			fetch(u)
			w.Done()
		}(&wg)
	}
	wg.Wait()
}

// An embedded WaitGroup.
type pool struct {
	s.WaitGroup
	size int
}

func (p *pool) run(urls []string) {
	for _, u := range urls {
		go func() {
			p.Add(1) // want `p.Add called inside the goroutine it counts`
			defer p.Done()
			fetch(u)
		}()
	}
	p.Wait()
}

// Types with Add/Done of their own are not WaitGroups.
type counter struct{ n int }

func (c *counter) Add(n int) { c.n += n }
func (c *counter) Done()     { c.n-- }

func notWaitGroup(urls []string) {
	c := &counter{}
	sync := &counter{}
	for range urls {
		go func() {
			c.Add(1)
			defer c.Done()
			sync.Add(1)
			defer sync.Done()
		}()
	}
}

// Generic code.
func parallel[T any](items []T, f func(T)) {
	var wg s.WaitGroup
	for _, it := range items {
		go func() {
			wg.Add(1) // want `wg.Add called inside the goroutine it counts`
			defer wg.Done()
			f(it)
		}()
	}
	wg.Wait()
}
