package shared_variable_write

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"fixtures/internal/errgroup"
)

func ping(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	return nil
}

func checkAll(hosts []string) error {
	var err error
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e := ping(h); e != nil {
				err = e // want `err is written by every goroutine this loop starts, with no lock held: a data race; collect the errors with an errgroup or a channel`
			}
		}()
	}
	wg.Wait()
	return err
}

func count(hosts []string) int {
	n := 0
	var wg sync.WaitGroup
	for i := range len(hosts) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ping(hosts[i]) == nil {
				n++ // want `n is written by every goroutine this loop starts, with no lock held: a data race; use a sync/atomic Int64, or guard it with a sync.Mutex`
			}
		}()
	}
	wg.Wait()
	return n
}

type Stats struct {
	failed int
	last   string
}

func (s *Stats) probe(ctx context.Context, hosts []string) error {
	g, _ := errgroup.WithContext(ctx)
	for _, h := range hosts {
		g.Go(func() error {
			if err := ping(h); err != nil {
				s.failed += 1 // want `s.failed is written by every goroutine this loop starts`
				s.last = h    // want `s.last is written by every goroutine this loop starts, with no lock held: a data race; guard it with a sync.Mutex, or send the values over a channel`
			}
			return nil
		})
	}
	return g.Wait()
}

func anyDown(hosts []string) bool {
	down := false
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Go(func() {
			if ping(h) != nil {
				down = true // want `down is written by every goroutine this loop starts, with no lock held: a data race; use a sync/atomic Bool`
			}
		})
	}
	wg.Wait()
	return down
}

// ---- not reported ----

func atomicCount(hosts []string) int64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ping(h) == nil {
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return n.Load()
}

type Guarded struct {
	mu     sync.Mutex
	failed int
}

func (s *Guarded) lockedInc() {
	s.mu.Lock()
	s.failed++
	s.mu.Unlock()
}

func (s *Guarded) probe(hosts []string) {
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ping(h) != nil {
				s.lockedInc()
			}
		}()
	}
	wg.Wait()
}

func (s *Guarded) probeLocked(hosts []string) {
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := ping(h)
			s.mu.Lock()
			defer s.mu.Unlock()
			if err != nil {
				s.failed++
			}
		}()
	}
	wg.Wait()
}

// Variables of the goroutine itself, and of each iteration.
func ownVariables(hosts []string, results chan<- int) {
	for i, h := range hosts {
		tries := 0
		go func() {
			n := 0
			for ping(h) != nil && n < 3 {
				n++
			}
			tries = n
			results <- i + tries
		}()
	}
}

// Written before the goroutines start, only read by them.
func readOnly(hosts []string, short bool) {
	var wg sync.WaitGroup
	prefix := "host:"
	if short {
		prefix = "h:"
	}
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ping(prefix + h)
		}()
	}
	wg.Wait()
}

// Once guards the write.
func firstErr(hosts []string) error {
	var once sync.Once
	var err error
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if e := ping(h); e != nil {
				once.Do(func() { err = e })
			}
		}()
	}
	wg.Wait()
	return err
}

// A channel used as a lock inside the goroutine.
func tokenGuarded(hosts []string) int {
	token := make(chan struct{}, 1)
	token <- struct{}{}
	n := 0
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-token
			if ping(h) == nil {
				n++
			}
			token <- struct{}{}
		}()
	}
	wg.Wait()
	return n
}

// Each goroutine waited for in its iteration.
func sequential(hosts []string) error {
	var err error
	for _, h := range hosts {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			err = ping(h)
		}()
		wg.Wait()
		if err != nil {
			return err
		}
	}
	return nil
}

// A relay: each goroutine waits for its turn on a channel of its own and passes it on.
func relay(n int) int {
	turns := make([]chan bool, n)
	for i := range turns {
		turns[i] = make(chan bool, 1)
	}
	next := 0
	var wg sync.WaitGroup
	for id := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-turns[id]
			next++
			if id+1 < n {
				turns[id+1] <- true
			}
		}()
	}
	turns[0] <- true
	wg.Wait()
	return next
}

// A start barrier orders nothing between the goroutines.
func barrier(hosts []string) error {
	var err error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err = ping(h) // want `err is written by every goroutine this loop starts`
		}()
	}
	close(start)
	wg.Wait()
	return err
}
