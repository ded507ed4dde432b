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

// One lock-carrying helper type used by two owners: Session's and Stream's locks are two
// classes (Session.st.mu, Stream.st.mu), taken in one order.

type guarded struct {
	mu sync.Mutex
	n  int
}

type Session struct {
	st   guarded
	conn *Conn2
}

type Stream struct {
	st guarded
}

type Conn2 struct {
	mu      sync.Mutex
	streams []*Stream
}

func (s *Session) Close() {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.conn.mu.Lock()
	s.conn.mu.Unlock()
}

func (c *Conn2) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.streams {
		st.st.mu.Lock()
		st.st.n = 0
		st.st.mu.Unlock()
	}
}

// A callee that drops the caller's lock around a call-out takes the other lock unheld.

type Notifier struct {
	mu   sync.Mutex
	sink *Sink
}

type Sink struct {
	mu    sync.Mutex
	owner *Notifier
	n     int
}

func (s *Sink) flush() {
	s.mu.Lock()
	s.n = 0
	s.mu.Unlock()
}

func (n *Notifier) notifyLocked() {
	n.mu.Unlock()
	n.sink.flush()
	n.mu.Lock()
}

func (n *Notifier) Post() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notifyLocked()
}

func (s *Sink) Drain() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.owner.mu.Lock()
	s.owner.mu.Unlock()
}
