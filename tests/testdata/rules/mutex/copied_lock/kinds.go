package copied_lock

import (
	"fmt"
	s "sync"
	"sync/atomic"
)

// An aliased sync import.
type Table struct {
	mu   s.Mutex
	rows int
}

func (t Table) Rows() int { return t.rows } // want `Rows has a value receiver of type Table, which contains sync.Mutex`

func takeOnce(o s.Once) { // want `takeOnce passes lock by value: parameter of type sync.Once; pass \*sync.Once`
	o.Do(func() {})
}

func takeWaitGroup(wg s.WaitGroup) { // want `parameter of type sync.WaitGroup`
	wg.Wait()
}

func otherKinds(c *s.Cond, m *s.Map, p *s.Pool) {
	c2 := *c // want `assignment copies lock value to c2: sync.Cond`
	m2 := *m // want `assignment copies lock value to m2: sync.Map`
	p2 := *p // want `assignment copies lock value to p2: sync.Pool`
	fmt.Println(&c2, &m2, &p2)
}

// sync/atomic value types must not be copied either.
type Stats struct {
	hits  atomic.Int64
	last  atomic.Value
	ready atomic.Bool
}

func (st Stats) Hits() int64 { // want `Hits has a value receiver of type Stats, which contains atomic.Int64`
	return st.hits.Load()
}

func atomics(st *Stats) {
	h := st.hits // want `assignment copies lock value to h: atomic.Int64`
	v := st.last // want `assignment copies lock value to v: atomic.Value`
	all := *st   // want `assignment copies lock value to all: Stats contains atomic.Int64`
	n := st.hits.Load()
	fmt.Println(&h, &v, &all, n)
}

func atomicParam(p atomic.Pointer[Stats]) *Stats { // want `atomicParam passes lock by value: parameter of type atomic.Pointer`
	return p.Load()
}

// The plain atomic functions work on ordinary integers.
type plain struct{ n int64 }

func plainAtomics(p *plain) plain {
	atomic.AddInt64(&p.n, 1)
	q := *p
	return q
}
