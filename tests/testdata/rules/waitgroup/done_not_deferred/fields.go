package done_not_deferred

import "sync"

type server struct {
	wg    sync.WaitGroup
	conns chan int
	quit  chan struct{}
}

func handle(c int) error {
	if c < 0 {
		return errFetch
	}
	return nil
}

// A WaitGroup field.
func (s *server) serve() {
	s.wg.Add(1)
	go func() {
		for c := range s.conns {
			if err := handle(c); err != nil {
				return
			}
		}
		s.wg.Done() // want `s.wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
	}()
}

// A loop whose only way out passes Done: fine.
func (s *server) serveUntilQuit() {
	s.wg.Add(1)
	go func() {
		for {
			select {
			case c := <-s.conns:
				_ = handle(c)
			case <-s.quit:
				s.wg.Done()
				return
			}
		}
	}()
}

// The same loop, with a second way out that skips Done.
func (s *server) serveUntilQuitOrClose() {
	s.wg.Add(1)
	go func() {
		for {
			select {
			case c, ok := <-s.conns:
				if !ok {
					return
				}
				_ = handle(c)
			case <-s.quit:
				s.wg.Done() // want `s.wg.Done\(\) is not deferred, and a path that returns at line \d+ skips it`
				return
			}
		}
	}()
}

// Per-item Done in a worker loop: counts items, not the goroutine.
func perItem(jobs <-chan int) {
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
	}
	go func() {
		for j := range jobs {
			if j < 0 {
				return
			}
			_ = handle(j)
			wg.Done()
		}
	}()
	wg.Wait()
}

// A label and break: the loop ends without Done.
func labeled(jobs <-chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
	loop:
		for j := range jobs {
			if j < 0 {
				break loop
			}
			if j == 0 {
				wg.Done() // want `wg.Done\(\) is not deferred, and a path that reaches the end of the goroutine skips it`
				return
			}
		}
	}()
	wg.Wait()
}

// A pointer parameter.
func pointerParam(wg *sync.WaitGroup, u string) {
	wg.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		wg.Done() // want `wg.Done\(\) is not deferred`
	}()
}

// The WaitGroup passed as an argument of the goroutine's literal.
func literalParam(u string) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func(w *sync.WaitGroup) {
		if _, err := fetch(u); err != nil {
			return
		}
		w.Done() // want `w.Done\(\) is not deferred`
	}(&wg)
	wg.Wait()
}

// An embedded WaitGroup: p.Done is sync.WaitGroup's Done.
type pool struct {
	sync.WaitGroup
	name string
}

func (p *pool) start(u string) {
	p.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		p.Done() // want `p.Done\(\) is not deferred`
	}()
}

// A type with its own Done method (even when it embeds a WaitGroup) is not a WaitGroup.
type tracker struct {
	sync.WaitGroup
	n int
}

func (t *tracker) Done() { t.n-- }

type counter struct{ n int }

func (c *counter) Add(n int) { c.n += n }
func (c *counter) Done()     { c.n-- }

func notWaitGroups(u string) {
	t := &tracker{}
	c := &counter{}
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		t.Done()
		c.Done()
	}()
}

// A local variable named sync (shadowing the package) that is not a WaitGroup.
func localNamedSync(u string) {
	sync := &counter{}
	sync.Add(1)
	go func() {
		if _, err := fetch(u); err != nil {
			return
		}
		sync.Done()
	}()
}
