package wait_in_goroutine

import (
	s "sync"
)

type stage struct {
	wg  s.WaitGroup
	out chan int
}

// A WaitGroup field, an aliased import.
func (st *stage) run() {
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		st.out <- work()
		st.wg.Wait() // want `st.wg.Wait\(\) inside a goroutine that st.wg counts`
		close(st.out)
	}()
}

// A pointer parameter.
func pointerParam(wg *s.WaitGroup, out chan int) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		out <- work()
		wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
	}()
}

// An embedded WaitGroup.
type pool struct {
	s.WaitGroup
	out chan int
}

func (p *pool) start() {
	p.Add(1)
	go func() {
		defer p.Done()
		p.out <- work()
		p.Wait() // want `p.Wait\(\) inside a goroutine that p counts`
	}()
}

// Types with methods of their own are not WaitGroups.
type latch struct{ n int }

func (l *latch) Wait()   {}
func (l *latch) Done()   {}
func (l *latch) Add(int) {}

func notWaitGroup() {
	l := &latch{}
	sync := &latch{}
	go func() {
		defer l.Done()
		defer sync.Done()
		l.Wait()
		sync.Wait()
	}()
}

// A goroutine started through a helper.
func closer(wg *s.WaitGroup, out chan int) {
	defer wg.Done()
	out <- work()
	wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
	close(out)
}

func startCloser(out chan int) {
	var wg s.WaitGroup
	wg.Add(1)
	go closer(&wg, out)
}

// Generic code.
func collect[T any](f func() T, out chan T) {
	var wg s.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		out <- f()
		wg.Wait() // want `wg.Wait\(\) inside a goroutine that wg counts`
		close(out)
	}()
}
