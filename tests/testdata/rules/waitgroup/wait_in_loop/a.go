package wait_in_loop

import (
	"context"
	s "sync"

	"fixtures/internal/errgroup"
)

func process(f string) {}

// The doc's Example.
func docExample(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(f)
		}()
		wg.Wait() // want `^wg.Wait\(\) inside the loop that starts the goroutines it waits for: they run one at a time; call Wait after the loop$`
	}
}

// The doc's "Use instead".
func docUseInstead(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(f)
		}()
	}
	wg.Wait()
}

// sync.WaitGroup.Go (Go 1.25) in the loop.
func waitGroupGo(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Go(func() { process(f) })
		wg.Wait() // want `wg.Wait\(\) inside the loop that starts the goroutines it waits for`
	}
}

// A goroutine started through a helper.
func worker(f string, wg *s.WaitGroup) {
	defer wg.Done()
	process(f)
}

func helper(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go worker(f, &wg)
		wg.Wait() // want `wg.Wait\(\) inside the loop that starts the goroutines it waits for`
	}
}

// The WaitGroup passed to the goroutine's literal.
func literalParam(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func(w *s.WaitGroup) {
			defer w.Done()
			process(f)
		}(&wg)
		wg.Wait() // want `wg.Wait\(\) inside the loop that starts the goroutines it waits for`
	}
}

type batcher struct {
	wg    s.WaitGroup
	files []string
}

// A WaitGroup field, waited for at the top of the next iteration.
func (b *batcher) run() {
	for _, f := range b.files {
		b.wg.Wait() // want `b.wg.Wait\(\) inside the loop that starts the goroutines it waits for`
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			process(f)
		}()
	}
}

// An embedded WaitGroup.
type group struct {
	s.WaitGroup
}

func embedded(files []string) {
	var g group
	for _, f := range files {
		g.Add(1)
		go func() {
			defer g.Done()
			process(f)
		}()
		g.Wait() // want `g.Wait\(\) inside the loop that starts the goroutines it waits for`
	}
}

// A conditional Wait is a deliberate choice.
func conditional(files []string, sequential bool) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(f)
		}()
		if sequential {
			wg.Wait()
		}
	}
	wg.Wait()
}

// A WaitGroup per iteration: each round waits for its own goroutines.
func perIteration(rounds [][]string) {
	for _, files := range rounds {
		var wg s.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(files[0])
		}()
		wg.Wait()
	}
}

// Batches started in an inner loop and awaited in the outer one: the intended pattern.
func batches(rounds [][]string) {
	var wg s.WaitGroup
	for _, files := range rounds {
		for _, f := range files {
			wg.Add(1)
			go func() {
				defer wg.Done()
				process(f)
			}()
		}
		wg.Wait()
	}
}

// Waits on another WaitGroup than the one the goroutines count.
func otherGroup(files []string, prev *s.WaitGroup) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(f)
		}()
		prev.Wait()
	}
	wg.Wait()
}

// The same name, another variable: the literal's parameter shadows the outer wg.
func shadowedParam(files []string, first *s.WaitGroup) {
	var wg s.WaitGroup
	for _, f := range files {
		go func(wg *s.WaitGroup) {
			defer wg.Done()
			process(f)
		}(first)
		wg.Wait()
	}
}

// The Wait runs in a function literal of the loop, not in the loop itself.
func nestedLiteral(files []string) {
	var wg s.WaitGroup
	for _, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			process(f)
		}()
		go func() {
			wg.Wait()
		}()
	}
}

// Types with methods of their own are not WaitGroups.
type latch struct{ n int }

func (l *latch) Wait() {}
func (l *latch) Done() {}

func notWaitGroup(files []string) {
	l := &latch{}
	for range files {
		go func() {
			defer l.Done()
		}()
		l.Wait()
	}
}

// errgroup's Wait is not checked (and the stub is not recognised as errgroup).
func errGroup(ctx context.Context, files []string) {
	for _, f := range files {
		g, _ := errgroup.WithContext(ctx)
		g.Go(func() error { process(f); return nil })
		_ = g.Wait()
	}
}

// Generic code.
func each[T any](items []T, f func(T)) {
	var wg s.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(it)
		}()
		wg.Wait() // want `wg.Wait\(\) inside the loop that starts the goroutines it waits for`
	}
}
