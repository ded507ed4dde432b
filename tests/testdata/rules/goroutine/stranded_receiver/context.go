package stranded_receiver

import "context"

func answer() int { return 42 }

// The producer gives up when ctx is cancelled; the plain receive does not.
func resultOf(ctx context.Context) int {
	ch := make(chan int)
	go func() {
		v := answer()
		select {
		case ch <- v:
		case <-ctx.Done():
			return
		}
	}()
	return <-ch // want `<-ch waits forever once the context is cancelled: the goroutine started at line 10 then leaves through .case <-ctx.Done\(\). at line 14 without sending`
}

// Negative: the receive selects on the same context.
func resultOrCancel(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		select {
		case ch <- answer():
		case <-ctx.Done():
		}
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Negative: a context nothing cancels.
func background() int {
	ctx := context.Background()
	ch := make(chan int)
	go func() {
		select {
		case ch <- answer():
		case <-ctx.Done():
			return
		}
	}()
	return <-ch
}

// Negative: a quit channel of the caller's making may never fire while it waits.
func quitting(quit chan struct{}) int {
	ch := make(chan int)
	go func() {
		select {
		case ch <- answer():
		case <-quit:
			return
		}
	}()
	return <-ch
}
