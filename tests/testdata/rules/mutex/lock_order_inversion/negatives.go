package lock_order_inversion

import "sync"

// One order everywhere: fine.

type Pool struct {
	mu      sync.Mutex
	workers []*Worker
}

type Worker struct {
	mu   sync.Mutex
	busy bool
	pool *Pool
}

func (p *Pool) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, w := range p.workers {
		w.mu.Lock()
		if !w.busy {
			n++
		}
		w.mu.Unlock()
	}
	return n
}

func (w *Worker) Quit() {
	pool := w.pool
	pool.mu.Lock() // Pool.mu before Worker.mu, as in Idle
	defer pool.mu.Unlock()
	w.mu.Lock()
	w.busy = false
	w.mu.Unlock()
}

// Two locks of the same class (nodes of a tree, hand over hand): their order is not known.

type Node struct {
	mu       sync.Mutex
	parent   *Node
	children []*Node
	val      int
}

func (n *Node) Down() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.children {
		c.mu.Lock()
		c.val = n.val
		c.mu.Unlock()
	}
}

func (n *Node) Up() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.parent != nil {
		n.parent.mu.Lock()
		n.parent.val += n.val
		n.parent.mu.Unlock()
	}
}

// Readers do not wait for readers: two read locks in both orders.

type Index struct {
	mu   sync.RWMutex
	keys map[string]int
	meta *Meta
}

type Meta struct {
	mu    sync.RWMutex
	count int
	index *Index
}

func (x *Index) Count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	x.meta.mu.RLock()
	defer x.meta.mu.RUnlock()
	return x.meta.count + len(x.keys)
}

func (m *Meta) Keys() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.index.mu.RLock()
	defer m.index.mu.RUnlock()
	return len(m.index.keys) + m.count
}

// The first lock is released before the second is taken; or the second is taken by another
// goroutine; or only on some paths: no order.

type Queue struct {
	mu    sync.Mutex
	items []int
	log   *Log
}

type Log struct {
	mu    sync.Mutex
	lines []string
	queue *Queue
}

func (q *Queue) Push(v int) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.log.mu.Lock()
	q.log.lines = append(q.log.lines, "push")
	q.log.mu.Unlock()
}

func (q *Queue) PushAsync(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, v)
	go func() {
		q.log.mu.Lock()
		q.log.lines = append(q.log.lines, "push")
		q.log.mu.Unlock()
	}()
}

func (q *Queue) PushMaybe(v int, locked bool) {
	if !locked {
		q.mu.Lock()
		defer q.mu.Unlock()
	}
	q.log.mu.Lock()
	q.log.lines = append(q.log.lines, "push")
	q.log.mu.Unlock()
}

func (l *Log) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue.mu.Lock()
	l.queue.items = l.queue.items[:0]
	l.queue.mu.Unlock()
	l.lines = l.lines[:0]
}

// Two functions, each with its own local mutexes of the same names: different locks.
func first() {
	var a, b sync.Mutex
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
}

func second() {
	var a, b sync.Mutex
	b.Lock()
	a.Lock()
	a.Unlock()
	b.Unlock()
}
