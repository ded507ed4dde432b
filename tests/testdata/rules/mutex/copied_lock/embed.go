package copied_lock

import (
	"fmt"
	"sync"
)

// An embedded lock is copied with its struct.
type Registry struct {
	sync.RWMutex
	names map[string]int
}

func (r Registry) Names() int { // want `Names has a value receiver of type Registry, which contains sync.RWMutex`
	r.RLock()
	defer r.RUnlock()
	return len(r.names)
}

func (r *Registry) Lookup(k string) int {
	r.RLock()
	defer r.RUnlock()
	return r.names[k]
}

// An embedded *sync.Mutex is a pointer: copies share the lock.
type Shared struct {
	*sync.Mutex
	n int
}

func (s Shared) Get() int {
	s.Lock()
	defer s.Unlock()
	return s.n
}

func copyShared(s *Shared) Shared {
	t := *s
	return t
}

// Embedding a lock-holding struct by value holds its lock; by pointer it does not.
type Service struct {
	Counter
	name string
}

type ServiceRef struct {
	*Counter
	name string
}

func (s Service) Name() string { return s.name } // want `Name has a value receiver of type Service, which contains sync.Mutex`

func (s ServiceRef) Name() string { return s.name }

func embeddedCopies(s *Service, r *ServiceRef) {
	a := *s         // want `assignment copies lock value to a: Service contains sync.Mutex`
	b := *r         // fine: the Counter is shared
	c := s.Counter  // want `assignment copies lock value to c: Counter contains sync.Mutex`
	d := r.Counter  // a pointer
	e := *r.Counter // want `assignment copies lock value to e: Counter contains sync.Mutex`
	fmt.Println(&a, &b, &c, d, &e)
}

// Nested structs.

type inner struct {
	mu   sync.RWMutex
	vals []int
}

type middle struct {
	in inner
}

type Outer struct {
	mid  middle
	name string
}

func (o *Outer) snapshot() Outer {
	return *o // want `return copies lock value: Outer contains sync.RWMutex`
}

func nested(o *Outer) {
	m := o.mid    // want `assignment copies lock value to m: middle contains sync.RWMutex`
	i := o.mid.in // want `assignment copies lock value to i: inner contains sync.RWMutex`
	v := o.mid.in.vals
	n := o.name
	p := &o.mid.in
	fmt.Println(&m, &i, v, n, p)
}

// Arrays of locks hold the locks; slices do not.

type Shards struct {
	locks [8]sync.Mutex
	lists [][]int
}

func shards(s *Shards, i int) {
	all := s.locks      // want `assignment copies lock value to all: \[...\]sync.Mutex contains sync.Mutex`
	one := s.locks[i%8] // want `assignment copies lock value to one: sync.Mutex`
	ref := &s.locks[i%8]
	ref.Lock()
	defer ref.Unlock()
	for j := range s.locks {
		_ = j
	}
	for _, l := range s.locks { // want `range variable l copies lock value: sync.Mutex`
		fmt.Println(&l)
	}
	fmt.Println(&all, &one)
}

type Grid [4][4]sync.Mutex

func grid(g *Grid) {
	row := g[1] // want `assignment copies lock value to row: \[...\]sync.Mutex contains sync.Mutex`
	fmt.Println(&row)
}

// An anonymous struct that embeds a lock.
var guard struct {
	sync.Mutex
	hits int
}

func anonymous() {
	g := guard // want `assignment copies lock value to g: struct{sync.Mutex; hits int} contains sync.Mutex`
	g.hits++
	guard.Lock()
	guard.hits++
	guard.Unlock()
}

// A defined type and an alias of a lock are locks too.
type myMutex sync.Mutex

type aliasMutex = sync.Mutex

func defined(a *myMutex, b *aliasMutex) {
	x := *a // want `assignment copies lock value to x: myMutex contains sync.Mutex`
	y := *b // want `assignment copies lock value to y: aliasMutex contains sync.Mutex`
	fmt.Println(&x, &y)
}
