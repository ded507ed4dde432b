package lock_order_inversion

import "sync"

type Server struct {
	mu    sync.Mutex
	conns map[int]*Conn
}

type Conn struct {
	mu  sync.Mutex
	id  int
	buf []byte
	srv *Server
}

// Broadcast takes Server.mu, then Conn.mu.
func (s *Server) Broadcast(msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.mu.Lock()
		c.buf = append(c.buf, msg...)
		c.mu.Unlock()
	}
}

// Close takes Conn.mu, then Server.mu: the opposite order.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.srv.mu.Lock() // want `locks c.srv.mu \(Server.mu\) while holding Conn.mu \(locked at line 30\), but \(\*Server\).Broadcast takes them in the opposite order \(Server.mu, then Conn.mu, at a.go:22\): two goroutines running both can deadlock`
	delete(c.srv.conns, c.id)
	c.srv.mu.Unlock()
}

// Through calls: the second lock is taken by a method the holder calls.

type Registry struct {
	mu    sync.RWMutex
	users map[string]*User
}

type User struct {
	mu   sync.Mutex
	name string
	reg  *Registry
}

func (u *User) rename(name string) {
	u.mu.Lock()
	u.name = name
	u.mu.Unlock()
}

func (r *Registry) unregister(name string) {
	r.mu.Lock()
	delete(r.users, name)
	r.mu.Unlock()
}

// Rename holds Registry.mu and calls rename, which locks User.mu.
func (r *Registry) Rename(old, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.users[old]; ok {
		u.rename(name)
		r.users[name] = u
		delete(r.users, old)
	}
}

// Leave holds User.mu and calls unregister, which locks Registry.mu.
func (u *User) Leave() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.reg.unregister(u.name) // want `u.reg.unregister\(\) locks u.reg.mu \(Registry.mu\) while holding User.mu \(locked at line 75\), but \(\*Registry\).Rename takes them in the opposite order \(Registry.mu, then User.mu, at a.go:67\)`
}

// Package-level locks.

var (
	configMu sync.Mutex
	statsMu  sync.RWMutex
	config   map[string]string
	stats    map[string]int
)

func reload(next map[string]string) {
	configMu.Lock()
	defer configMu.Unlock()
	statsMu.Lock()
	stats["reloads"]++
	statsMu.Unlock()
	config = next
}

// A read lock waits for a writer: RLock in one order and Lock in the other still deadlock.
func report() map[string]int {
	statsMu.Lock()
	defer statsMu.Unlock()
	configMu.Lock() // want `locks configMu while holding statsMu \(locked at line 100\), but reload takes them in the opposite order \(configMu, then statsMu, at a.go:92\)`
	stats["keys"] = len(config)
	configMu.Unlock()
	return stats
}

// Two goroutines of one call, sharing two local mutexes.
func transfer(from, to *int, amount int) {
	var fromMu, toMu sync.Mutex
	done := make(chan struct{}, 2)
	go func() {
		fromMu.Lock()
		toMu.Lock()
		*from -= amount
		toMu.Unlock()
		fromMu.Unlock()
		done <- struct{}{}
	}()
	go func() {
		toMu.Lock()
		fromMu.Lock() // want `locks fromMu while holding toMu \(locked at line 121\), but a func literal in transfer takes them in the opposite order \(fromMu, then toMu, at a.go:114\)`
		*to += amount
		fromMu.Unlock()
		toMu.Unlock()
		done <- struct{}{}
	}()
	<-done
	<-done
}

// The second lock taken in a closure called in place.
type Bank struct {
	mu     sync.Mutex
	ledger *Ledger
}

type Ledger struct {
	mu    sync.Mutex
	bank  *Bank
	lines int
}

func (b *Bank) Audit() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int
	func() {
		b.ledger.mu.Lock()
		defer b.ledger.mu.Unlock()
		n = b.ledger.lines
	}()
	return n
}

func (l *Ledger) Post() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bank.mu.Lock() // want `locks l.bank.mu \(Bank.mu\) while holding Ledger.mu \(locked at line 157\), but \(\*Bank\).Audit takes them in the opposite order \(Bank.mu, then Ledger.mu, at a.go:148\)`
	l.lines++
	l.bank.mu.Unlock()
}
