// Package leak returns on timeout while its worker still waits to send: the worker leaks.
package leak

import "context"

// FirstResult runs query in the background and returns its result, or the context's error.
func FirstResult(ctx context.Context, query func() int) (int, error) {
	ch := make(chan int) // unbuffered: the sender blocks forever once nobody receives
	go func() {
		ch <- query()
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
