package shared_variable_write

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

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

// A wait at the top of the loop runs after the previous iteration's goroutine.
func prefetch(n int, read func(int) (string, error)) (string, error) {
	var next string
	var err error
	done := make(chan struct{})
	close(done)
	out := ""
	for i := 0; i < n; i++ {
		<-done
		if err != nil {
			return "", err
		}
		out += next
		done = make(chan struct{})
		go func() {
			defer close(done)
			next, err = read(i)
		}()
	}
	<-done
	return out + next, err
}

// An ordered pipeline: each goroutine waits for the previous one before it commits.
func ordered(chunks []string) int {
	written := 0
	var prev chan struct{}
	for _, c := range chunks {
		next := make(chan struct{})
		go func(prev chan struct{}) {
			if prev != nil {
				<-prev
			}
			written += len(c)
			close(next)
		}(prev)
		prev = next
	}
	if prev != nil {
		<-prev
	}
	return written
}

// Only the goroutine that wins the CompareAndSwap writes.
func firstFound(hosts []string) string {
	var claimed atomic.Bool
	found := ""
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ping(h) == nil && claimed.CompareAndSwap(false, true) {
				found = h
			}
		}()
	}
	wg.Wait()
	return found
}

// Only the sender that gets through writes; the others take the default.
func firstReply(hosts []string) string {
	won := make(chan struct{}, 1)
	reply := ""
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case won <- struct{}{}:
				reply = h
			default:
			}
		}()
	}
	wg.Wait()
	return reply
}

// Started at most once, under a latch.
func lazyStart(events []string) int {
	started := false
	flushes := 0
	done := make(chan struct{})
	for range events {
		if !started {
			started = true
			go func() {
				flushes++
				close(done)
			}()
		}
	}
	if started {
		<-done
	}
	return flushes
}

type Pool struct {
	mu   sync.Mutex
	hits int
}

func (p *Pool) acquire() func() {
	p.mu.Lock()
	return p.mu.Unlock
}

// A lock taken through a helper that hands back its release.
func (p *Pool) serve(reqs []string) {
	var wg sync.WaitGroup
	for range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release := p.acquire()
			defer release()
			p.hits++
		}()
	}
	wg.Wait()
}

type Uploader struct {
	g        *errgroup.Group
	uploaded int
}

// The group's limit may be set where the group is made.
func (u *Uploader) upload(files []string) error {
	for range files {
		u.g.Go(func() error {
			u.uploaded++
			return nil
		})
	}
	return u.g.Wait()
}

// A ticker paces the loop: it orders nothing between the goroutines.
func paced(ctx context.Context, hosts []string) int {
	n := 0
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ping(h) == nil {
				n++ // want `n is written by every goroutine this loop starts`
			}
		}()
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
		}
	}
	wg.Wait()
	return n
}

var probes int

func probeAll(hosts []string) {
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ping(h)
			probes++ // want `probes is written by every goroutine this loop starts`
		}()
	}
	wg.Wait()
}

// A local of the goroutine hides the package-level name.
func probeLocal(hosts []string) {
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			probes := 0
			if ping(h) == nil {
				probes++
			}
			_ = probes
		}()
	}
	wg.Wait()
}

var _ = probeAll // a package-level blank: `_ = v` below writes nothing

func discard(hosts []string) {
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ping(h)
		}()
	}
	wg.Wait()
}
