package mixed_atomic_access

import "sync/atomic"

// Atomic everywhere.
func (p *Pool) Closed() bool { return atomic.LoadInt32(&p.closed) == 1 }

// Under the pool's lock: a regime of its own, not compared.
func (p *Pool) drainLocked() {
	p.conns = nil
	p.gets = 0
}

func (p *Pool) Drain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed == 0 {
		p.conns = p.conns[:0]
	}
}

// The author says why no atomic is needed.
func (p *Pool) finalize() int64 {
	// Every goroutine has exited: exclusive access, no atomic needed.
	return p.gets
}

// An optimistic read validated by a CAS.
func (p *Pool) closeOnce() bool {
	old := p.closed
	return old == 0 && atomic.CompareAndSwapInt32(&p.closed, old, 1)
}

// Written before the goroutine that reads it starts.
func (p *Pool) start() {
	p.gets = 0
	go func() { atomic.AddInt64(&p.gets, 1) }()
}

// A local counter read after the goroutines are done: locals are not checked.
func total(n int) int64 {
	var sum int64
	done := make(chan bool)
	for i := 0; i < n; i++ {
		go func() { atomic.AddInt64(&sum, 1); done <- true }()
	}
	for i := 0; i < n; i++ {
		<-done
	}
	return sum
}

// The address handed on is not a plain access.
func addr(p *Pool) *int64 { return &p.gets }
