// Package leakypool runs jobs on a fixed number of workers.
package leakypool

import (
	"errors"
	"sync"
	"time"
)

// Pool runs jobs on its workers. It is safe for concurrent use.
type Pool struct {
	mu      sync.Mutex
	jobs    chan func()
	started int
}

// New starts a pool of n workers.
func New(n int) *Pool {
	p := &Pool{jobs: make(chan func())}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	for {
		job := <-p.jobs
		job()
	}
}

// Submit queues a job.
func (p *Pool) Submit(job func()) {
	p.mu.Lock()
	p.started++
	p.mu.Unlock()
	p.jobs <- job
}

// Started says how many jobs were submitted.
func (p *Pool) Started() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.started
}

// ErrTimeout is returned by Fetch when the fetch takes too long.
var ErrTimeout = errors.New("timeout")

// Fetch runs fetch on a goroutine and waits up to d for its result.
func Fetch(fetch func() string, d time.Duration) (string, error) {
	result := make(chan string)
	go func() {
		result <- fetch()
	}()
	select {
	case r := <-result:
		return r, nil
	case <-time.After(d):
		return "", ErrTimeout
	}
}
