package cond_wait_not_in_loop

import "sync"

type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	ready bool
}

func NewQueue() *Queue {
	q := &Queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Checked once: another Pop woken by the same Broadcast may take the item first.
func (q *Queue) Pop() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		q.cond.Wait() // want `q.cond.Wait\(\) under .if len\(q.items\) == 0. checks the condition once`
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

// No condition at all: a Broadcast sent before this Wait is lost.
func (q *Queue) AwaitReady() {
	q.mu.Lock()
	q.cond.Wait() // want `q.cond.Wait\(\) checks no condition: a Signal or Broadcast sent before this Wait is lost`
	q.mu.Unlock()
}

func (q *Queue) SetReady() {
	q.mu.Lock()
	q.ready = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// A Cond that is a value, not a pointer.
type Gate struct {
	mu   sync.Mutex
	c    sync.Cond
	open bool
}

func (g *Gate) Pass() {
	g.c.L = &g.mu
	g.mu.Lock()
	if !g.open {
		g.c.Wait() // want `g.c.Wait\(\) under .if !g.open. checks the condition once`
	}
	g.mu.Unlock()
}
