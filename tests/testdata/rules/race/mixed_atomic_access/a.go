package mixed_atomic_access

import (
	"errors"
	"sync"
	"sync/atomic"
)

var ErrClosed = errors.New("closed")

type Conn struct{ id int }

type Pool struct {
	closed int32
	gets   int64
	mu     sync.Mutex
	conns  []*Conn
}

func NewPool() *Pool {
	p := &Pool{}
	p.closed = 0 // a constructor: not shared yet
	return p
}

func (p *Pool) Close() { atomic.StoreInt32(&p.closed, 1) }

// A fast path that forgot the atomic.
func (p *Pool) Get() (*Conn, error) {
	if p.closed == 1 { // want `Pool.closed is read here plainly, but is accessed with atomic.StoreInt32 elsewhere`
		return nil, ErrClosed
	}
	atomic.AddInt64(&p.gets, 1)
	return &Conn{}, nil
}

// A plain reset of a counter others add to atomically.
func (p *Pool) ResetStats() {
	p.gets = 0 // want `Pool.gets is written here plainly, but is accessed with atomic.AddInt64 elsewhere`
}

var requests uint64

func count() { atomic.AddUint64(&requests, 1) }

func report() uint64 {
	return requests // want `requests is read here plainly, but is accessed with atomic.AddUint64 elsewhere`
}
