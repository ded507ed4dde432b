package copied_lock

import "sync"

// A generic struct that holds a lock holds it whatever its type argument.
type Box[T any] struct {
	mu sync.Mutex
	v  T
}

func (b Box[T]) Get() T { // want `Get has a value receiver of type Box, which contains sync.Mutex`
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}

func (b *Box[T]) Set(v T) {
	b.mu.Lock()
	b.v = v
	b.mu.Unlock()
}

func useBox(b Box[int]) int { // want `useBox passes lock by value: parameter of type Box contains sync.Mutex`
	return b.v
}

func copyBox[T any](b *Box[T]) T {
	c := *b // want `assignment copies lock value to c: Box contains sync.Mutex`
	return c.v
}

// Type parameters are never reported: the type argument may be anything.
func Clone[T any](v T) T {
	c := v
	return c
}

func Apply[L sync.Locker](l L, f func()) {
	l2 := l
	l2.Lock()
	defer l2.Unlock()
	f()
}

type Wrapper[T any] struct {
	val T
}

func (w Wrapper[T]) Val() T { return w.val }

func wrap[T any](v T) Wrapper[T] {
	w := Wrapper[T]{val: v}
	return w
}

// A generic function taking a value of a lock-holding generic type.
func peek[T any](b Box[T]) T { // want `peek passes lock by value: parameter of type Box contains sync.Mutex`
	return b.v
}

// A type parameter named like a lock type is still a type parameter.
func shadowParam[Mutex any](m Mutex) Mutex {
	n := m
	return n
}
