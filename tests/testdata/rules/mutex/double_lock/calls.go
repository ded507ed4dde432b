package double_lock

import "sync"

// A callee that takes the lock the caller holds: followed through its summary.

type Memo struct {
	mu    sync.Mutex
	rw    sync.RWMutex
	items map[string]string
	peer  *Memo
}

func (c *Memo) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Memo) size() int { return c.Len() }

func (c *Memo) Get(k string) string {
	c.rw.RLock()
	defer c.rw.RUnlock()
	return c.items[k]
}

// Put holds c.mu and calls Len, which locks c.mu again.
func (c *Memo) Put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Len() > 100 { // want `c.Len\(\) locks c.mu while c.mu is already locked at line 30: Go mutexes are not reentrant`
		return
	}
	c.items[k] = v
}

// Two calls down.
func (c *Memo) Evict() {
	c.mu.Lock()
	n := c.size() // want `c.size\(\) locks c.mu while c.mu is already locked at line 40`
	_ = n
	c.mu.Unlock()
}

// Read lock taken again through a call.
func (c *Memo) GetBoth(a, b string) (string, string) {
	c.rw.RLock()
	defer c.rw.RUnlock()
	x := c.Get(a) // want `c.Get\(\) read-locks c.rw again while this function holds its read lock at line 48`
	return x, c.items[b]
}

// Another cache's lock: fine.
func (c *Memo) PeerLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peer.Len()
}

// Released before the call: fine.
func (c *Memo) Refresh() int {
	c.mu.Lock()
	c.items = map[string]string{}
	c.mu.Unlock()
	return c.Len()
}

// A callee that takes the lock only on some paths is not sure to deadlock: quiet.
func (c *Memo) lenIf(locked bool) int {
	if !locked {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	return len(c.items)
}

func (c *Memo) Compact() {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.lenIf(true)
}

// Started in a goroutine: it waits for the lock, no deadlock.
func (c *Memo) Async() {
	c.mu.Lock()
	defer c.mu.Unlock()
	go c.Len()
}

// Through an interface: not followed.
type Sizer interface{ Len() int }

func (c *Memo) ViaInterface(l Sizer) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return l.Len()
}

// A helper that releases and takes back the lock (a wait): no deadlock.
func (c *Memo) waitLocked(ch chan struct{}) {
	c.mu.Unlock()
	<-ch
	c.mu.Lock()
}

func (c *Memo) Wait(ch chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waitLocked(ch)
}

// A callee that walks to another node before locking locks that node, not the caller's.
type Node struct {
	mu     sync.Mutex
	n      int
	parent *Node
}

func (n *Node) rootLen() int {
	for n.parent != nil {
		n = n.parent
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.n
}

func (n *Node) Set(v int) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.n = v
	if n.parent == nil {
		return v
	}
	return n.rootLen()
}

// Hand-over-hand locking through helpers: the index moves on between the two locks.
type shard struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *shard) lock()   { s.mu.Lock() }
func (s *shard) unlock() { s.mu.Unlock() }

type ShardSet struct{ shards [16]shard }

func (m *ShardSet) Couple(i int) int {
	m.shards[i].lock()
	prev := i
	i = (i + 1) % 16
	m.shards[i].lock()
	m.shards[prev].unlock()
	n := len(m.shards[i].m)
	m.shards[i].unlock()
	return n
}

// A lock handed off in a returned handle and released through it.
type DB struct {
	mu sync.Mutex
	n  int
}

type Txn struct{ db *DB }

func (db *DB) begin() *Txn { db.mu.Lock(); return &Txn{db: db} }
func (t *Txn) Commit()     { t.db.mu.Unlock() }

func (db *DB) Len() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.n
}

func (db *DB) Update() int {
	txn := db.begin()
	db.n++
	txn.Commit()
	return db.Len()
}

// A promoted method of an embedded struct takes the embedded struct's lock, the same lock.
type Base struct {
	mu sync.Mutex
	v  int
}

func (b *Base) Get() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

type Derived struct{ Base }

func (d *Derived) Twice() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.Get() // want `d.Get\(\) locks d.mu while d.mu is already locked at line 200`
}

// A method value bound to a receiver the function then moves away from.
func (n *Node) Rebound() int {
	f := n.rootLen
	n = n.parent
	n.mu.Lock()
	defer n.mu.Unlock()
	return f()
}

// A closure called in place is part of the function.
func (c *Memo) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	func() { // want `func\(\) locks c.mu while c.mu is already locked at line 216: Go mutexes are not reentrant`
		c.mu.Lock()
		defer c.mu.Unlock()
		c.items = nil
	}()
}

// A closure called in place that takes another lock: fine.
func (c *Memo) ResetPeer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	func() {
		c.peer.mu.Lock()
		defer c.peer.mu.Unlock()
		c.peer.items = nil
	}()
}
