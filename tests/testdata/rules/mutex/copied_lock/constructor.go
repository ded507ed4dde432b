package copied_lock

import "sync"

type inmem struct {
	mu   sync.RWMutex
	logs map[int]string
}

// newInmem hands out a fresh value: nobody else holds it yet.
func newInmem() *inmem {
	i := &inmem{logs: map[int]string{}}
	return i
}

func newInmemDirect() *inmem { return &inmem{} }

type tracking struct {
	inmem
	commit int
}

// Copying out of a fresh value from a constructor copies no live lock: allowed.
func newTracking() *tracking {
	return &tracking{inmem: *newInmem()}
}

func newTracking2() *tracking {
	t := &tracking{inmem: *newInmemDirect()}
	return t
}

var shared = &inmem{}

// current returns a pointer to a long-lived value: copying out of it copies a live lock.
func current() *inmem { return shared }

func snapshotCurrent() *tracking {
	return &tracking{inmem: *current()} // want `composite literal copies lock value from \*current\(\): inmem contains sync.RWMutex`
}
