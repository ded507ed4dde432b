package lock_held_while_waiting

import (
	"sync"
	"time"
)

type Server struct {
	mu   sync.Mutex
	quit chan struct{}
	done chan struct{}
	tick *time.Ticker
	n    int
}

// Stop holds s.mu while it waits for loop, whose tick case locks s.mu.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	<-s.done // want `<-s.done waits while holding s.mu \(locked at line 18\), but \(\*Server\).loop, which must get to close\(s.done\) to end the wait, first s.flush\(\) locks s.mu at a.go:31: neither can go on`
}

func (s *Server) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			return
		case <-s.tick.C:
			s.flush()
		}
	}
}

func (s *Server) flush() {
	s.mu.Lock()
	s.n = 0
	s.mu.Unlock()
}

// A WaitGroup whose goroutines lock what the waiter holds.
type Pool struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	results []int
}

func (p *Pool) Run(jobs []int) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range jobs {
		p.wg.Add(1)
		go func(j int) {
			defer p.wg.Done()
			p.mu.Lock()
			p.results = append(p.results, j*j)
			p.mu.Unlock()
		}(j)
	}
	p.wg.Wait() // want `p.wg.Wait\(\) waits while holding p.mu \(locked at line 50\), but the goroutine started at line 54, which must get to p.wg.Done\(\) to end the wait, first locks p.mu at a.go:56`
	return p.results
}

// A local channel and a goroutine literal.
func compute(mu *sync.Mutex, total *int) {
	mu.Lock()
	defer mu.Unlock()
	done := make(chan struct{})
	go func() {
		mu.Lock()
		*total++
		mu.Unlock()
		close(done)
	}()
	<-done // want `<-done waits while holding mu \(locked at line 67\), but the goroutine started at line 70, which must get to close\(done\) to end the wait, first locks mu at a.go:71`
}
