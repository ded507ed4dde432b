package leaked_sender

import (
	"context"
	"errors"
	"time"
)

func download(url string) string { return url }

func compute() (int, error) { return 1, nil }

// The receiver gives up on ctx.Done(): the sender is left blocked.
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- download(url) // want `this goroutine blocks forever on its send to ch if the function returns at line 23 without receiving from ch \(through .case <-ctx.Done\(\). at line 22\)`
	}()
	select {
	case body := <-ch:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// A timeout.
func withTimeout(d time.Duration) (int, error) {
	results := make(chan int)
	go func() {
		v, _ := compute()
		results <- v // want `blocks forever on its send to results if the function returns at line 38 without receiving from results \(through .case <-time.After\(d\). at line 37\)`
	}()
	select {
	case v := <-results:
		return v, nil
	case <-time.After(d):
		return 0, errors.New("timeout")
	}
}

// An early return between the go statement and the receive.
func early(check func() error) (int, error) {
	done := make(chan int, 0)
	go func() {
		done <- 42 // want `blocks forever on its send to done if the function returns at line 49 without receiving from done: make done buffered`
	}()
	if err := check(); err != nil {
		return 0, err
	}
	return <-done, nil
}

// Fan-in with an early exit: the remaining senders are left blocked.
func firstError(ctx context.Context, jobs []func() error) error {
	errc := make(chan error)
	for _, job := range jobs {
		go func() {
			errc <- job() // want `blocks forever on its send to errc if the function returns at line 69`
		}()
	}
	for range jobs {
		select {
		case err := <-errc:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Declared with var, assigned by =.
func viaVar(ctx context.Context) int {
	var ch chan int
	ch = make(chan int)
	go func() { ch <- 1 }() // want `blocks forever on its send to ch if the function returns at line 84`
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return 0
	}
}

// The channel passed to the goroutine as its parameter.
func passedIn(ctx context.Context) (string, error) {
	ch := make(chan string)
	go func(out chan<- string) {
		out <- download("x") // want `blocks forever on its send to ch if the function returns at line 98`
	}(ch)
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Two channels made in one statement.
func pair(ctx context.Context) (int, error) {
	res, errc := make(chan int), make(chan error, 1)
	go func() {
		v, err := compute()
		errc <- err
		res <- v // want `blocks forever on its send to res if the function returns at line 114`
	}()
	select {
	case v := <-res:
		return v, <-errc
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
