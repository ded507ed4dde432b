// Package pipeline squares numbers in stages connected by channels.
package pipeline

import "context"

// generate sends 1..n on its output, which it closes.
func generate(ctx context.Context, n int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for i := 1; i <= n; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// square sends the square of every value of in, and closes its output when in is closed.
func square(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for v := range in {
			select {
			case out <- v * v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// Sum returns the sum of the squares of 1..n, or the context's error when it is cancelled first.
func Sum(ctx context.Context, n int) (int, error) {
	total := 0
	for v := range square(ctx, generate(ctx, n)) {
		total += v
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return total, nil
}
