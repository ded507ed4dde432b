package copied_lock

import "sync"

// Function types and interface methods declare no variables: nothing is copied yet.
type visitor func(mu sync.Mutex) bool

type lockUser interface {
	Use(sync.Mutex)
}

// An unnamed value receiver still copies the value.
func (Counter) Kind() string { return "counter" } // want `Kind has a value receiver of type Counter`

// An array of lock-holding structs, through a pointer.
func rangeArray(a *[4]Counter) int {
	n := 0
	for _, c := range a { // want `range variable c copies lock value: Counter contains sync.Mutex`
		n += c.n
	}
	for i := range a {
		n += a[i].n
	}
	return n
}

// A named result is declared, not copied; a return of a copy is reported at the return.
func zero() (c Counter) {
	return
}
