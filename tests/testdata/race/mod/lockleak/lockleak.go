// Package lockleak returns early with its mutex held: the next caller blocks for good.
package lockleak

import (
	"fmt"
	"sync"
)

// Registry is a set of unique names, safe for concurrent use (until a duplicate arrives).
type Registry struct {
	mu    sync.Mutex
	names map[string]bool
}

// New returns an empty registry.
func New() *Registry { return &Registry{names: map[string]bool{}} }

// Add records name, or fails if it is there already.
func (r *Registry) Add(name string) error {
	r.mu.Lock()
	if r.names[name] {
		return fmt.Errorf("duplicate name %q", name) // still holding r.mu
	}
	r.names[name] = true
	r.mu.Unlock()
	return nil
}
