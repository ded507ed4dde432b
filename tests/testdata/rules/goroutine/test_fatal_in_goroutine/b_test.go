package test_fatal_in_goroutine

import (
	"context"
	tst "testing"

	"fixtures/internal/errgroup"
)

// An aliased import of testing.
func TestAliased(t *tst.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Fatal("x") // want `t.Fatal called from a goroutine`
	}()
	<-done
}

// testing.TB in a helper that starts the goroutine itself.
func startAndCheck(tb tst.TB) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			tb.Fatal(err) // want `tb.Fatal called from a goroutine`
		}
	}()
	<-done
}

func TestTB(t *tst.T) { startAndCheck(t) }

// errgroup: any import path ending in /errgroup (golang.org/x/sync/errgroup, a fork, or this
// stub) is taken for errgroup, whose Go starts a goroutine.
func TestErrGroup(t *tst.T) {
	g, _ := errgroup.WithContext(context.Background())
	g.Go(func() error {
		if _, err := fetch(); err != nil {
			t.Fatal(err) // want `t.Fatal called from a goroutine`
		}
		return nil
	})
	_ = g.Wait()
}

// Generic test helpers.
func runAll[T any](t *tst.T, items []T, f func(T) error) {
	done := make(chan struct{})
	for _, it := range items {
		go func() {
			defer func() { done <- struct{}{} }()
			if err := f(it); err != nil {
				t.Fatal(err) // want `t.Fatal called from a goroutine`
			}
		}()
	}
	for range items {
		<-done
	}
}

func TestGeneric(t *tst.T) {
	runAll(t, []int{1, 2}, func(int) error { return nil })
}
