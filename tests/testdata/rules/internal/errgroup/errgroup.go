// Package errgroup is a tiny offline stand-in for golang.org/x/sync/errgroup, enough for
// fixtures to compile. goconc recognises errgroup by an import path ending in /errgroup
// (x/sync's, a fork's or a vendored copy), so this stub's Go starts goroutines too.
package errgroup

import (
	"context"
	"sync"
)

// A Group is a collection of goroutines working on subtasks of a common task.
type Group struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
	cancel  func(error)
	sem     chan struct{}
}

// WithContext returns a new Group and an associated Context derived from ctx.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &Group{cancel: cancel}, ctx
}

// SetLimit limits the number of active goroutines in this group to at most n (n < 0: no
// limit).
func (g *Group) SetLimit(n int) {
	if n < 0 {
		g.sem = nil
		return
	}
	g.sem = make(chan struct{}, n)
}

// Go calls f in a new goroutine, once the group's limit lets it.
func (g *Group) Go(f func() error) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if g.sem != nil {
			defer func() { <-g.sem }()
		}
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel(err)
				}
			})
		}
	}()
}

// Wait blocks until all function calls from Go have returned, then returns the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel(g.err)
	}
	return g.err
}
