package copied_lock

import (
	"fmt"
	"sync"
)

// The documentation's example: a value receiver copies the lock.
type Counter struct {
	mu sync.Mutex
	n  int
}

func (c Counter) Inc() { // want `Inc has a value receiver of type Counter, which contains sync.Mutex: each call copies the lock; use a pointer receiver \(\*Counter\)`
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// The documentation's "use instead".
func (c *Counter) Add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *Counter) Value() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Value parameters.

func byValue(c Counter) int { // want `byValue passes lock by value: parameter of type Counter contains sync.Mutex; pass \*Counter`
	return c.n
}

func mutexByValue(mu sync.Mutex) { // want `mutexByValue passes lock by value: parameter of type sync.Mutex; pass \*sync.Mutex`
	mu.Lock()
	mu.Unlock()
}

func twoParams(a, b Counter) bool { // want `twoParams passes lock by value: parameter of type Counter contains sync.Mutex`
	return a.n == b.n
}

func byPointer(c *Counter) int { return c.n }

func mutexByPointer(mu *sync.Mutex) {
	mu.Lock()
	mu.Unlock()
}

// Assignments, var declarations, returns.

var global Counter

var copyOfGlobal = global // want `assignment copies lock value to copyOfGlobal: Counter contains sync.Mutex`

func assignments(p *Counter) {
	a := *p    // want `assignment copies lock value to a: Counter contains sync.Mutex`
	var b = *p // want `assignment copies lock value to b: Counter contains sync.Mutex`
	var c Counter
	c = a             // want `assignment copies lock value to c: Counter contains sync.Mutex`
	mu := p.mu        // want `assignment copies lock value to mu: sync.Mutex`
	d, e := 1, global // want `assignment copies lock value to e: Counter contains sync.Mutex`
	fmt.Println(&b, &c, &mu, d, &e)
}

func snapshot(p *Counter) Counter {
	return *p // want `return copies lock value: Counter contains sync.Mutex`
}

func snapshotField(p *Counter) sync.Mutex {
	return p.mu // want `return copies lock value: sync.Mutex`
}

// Call arguments.

func args(p *Counter) {
	byValue(*p)     // want `call of byValue copies lock value: \*p is Counter contains sync.Mutex; pass a pointer`
	fmt.Println(*p) // want `call of fmt.Println copies lock value: \*p is Counter contains sync.Mutex`
	fmt.Println(p)  // a pointer: fine
	byPointer(p)    // fine
}

// Range value variables.

func ranges(cs []Counter, ps []*Counter, m map[string]Counter) int {
	n := 0
	for _, c := range cs { // want `range variable c copies lock value: Counter contains sync.Mutex; range over the index, or over pointers`
		n += c.n
	}
	for i := range cs {
		n += cs[i].n
	}
	for _, p := range ps {
		n += p.n
	}
	for k, v := range m { // want `range variable v copies lock value: Counter contains sync.Mutex`
		n += len(k) + v.n
	}
	for k := range m {
		n += len(k)
	}
	return n
}

// Reading a map element copies it too.
func mapElement(m map[string]Counter) int {
	c := m["a"] // want `assignment copies lock value to c: Counter contains sync.Mutex`
	return c.n
}

// Composite-literal elements.

type Pair struct {
	A, B Counter
}

func literals(p *Counter) []Counter {
	_ = Pair{A: *p}          // want `composite literal copies lock value from \*p: Counter contains sync.Mutex`
	_ = []*Counter{p}        // pointers: fine
	_ = Pair{A: Counter{}}   // a fresh value: fine
	return []Counter{*p, {}} // want `composite literal copies lock value from \*p`
}

// Fresh values are not copies.

func newCounter() Counter { return Counter{} }

func fresh() {
	a := Counter{n: 1}
	b := newCounter()
	var c Counter
	d := &c
	e := new(Counter)
	f := *new(Counter)
	g := &Counter{}
	var mu sync.Mutex
	h := &mu
	fmt.Println(&a, &b, d, e, &f, g, h)
}

// The blank identifier and address-of do not copy anything that is used.
func blank(p *Counter) {
	_ = p
	_ = *p
	_, _ = 1, *p
	q := &p.mu
	q.Lock()
	q.Unlock()
}

// Pointers to locks may be copied freely.
type Guarded struct {
	mu   *sync.Mutex
	data []int
}

func (g Guarded) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.data)
}

func copyGuarded(g *Guarded) Guarded {
	h := *g
	return h
}

// Slices, maps and channels of locks hold references, not locks.
func references(ms []sync.Mutex, m map[int]*Counter, ch chan Counter) {
	ms2 := ms
	m2 := m
	ch2 := ch
	fmt.Println(len(ms2), len(m2), cap(ch2))
}

// An interface value holds a pointer.
func lockers(mu *sync.Mutex) sync.Locker {
	var l sync.Locker = mu
	l2 := l
	return l2
}

// A type of this package that happens to be called Mutex is not sync.Mutex.
type Mutex struct{ locked bool }

func localMutex(m Mutex) Mutex {
	n := m
	return n
}
