package leaked_sender

import (
	"context"
	"sync"

	"fixtures/internal/errgroup"
)

// A goroutine started by errgroup.Group.Go or sync.WaitGroup.Go is a goroutine too.

func firstResult(ctx context.Context, urls []string) (string, error) {
	var g errgroup.Group
	ch := make(chan string)
	g.Go(func() error {
		ch <- "body" // want `this goroutine blocks forever on its send to ch if the function returns at line 21 without receiving from ch \(through .case <-ctx.Done\(\). at line 20\)`
		return nil
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case body := <-ch:
		return body, g.Wait()
	}
}

func firstValue(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	ch := make(chan int)
	wg.Go(func() {
		ch <- 42 // want `this goroutine blocks forever on its send to ch if the function returns at line 35`
	})
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case v := <-ch:
		wg.Wait()
		return v, nil
	}
}
