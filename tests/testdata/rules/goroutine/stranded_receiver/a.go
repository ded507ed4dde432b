package stranded_receiver

import (
	"context"
	"errors"
	"log"
	"os"
)

// The error path returns without sending: load waits forever.
func load(path string) ([]byte, error) {
	ch := make(chan []byte)
	go func() {
		data, err := os.ReadFile(path)
		if err != nil {
			log.Print(err)
			return
		}
		ch <- data
	}()
	return <-ch, nil // want `<-ch waits forever if the goroutine started at line 13 returns at line 17 without sending`
}

// A select in the goroutine that gives up on ctx: whether ctx can end while compute waits is
// not followed (a deferred cancel cannot), so it stays quiet.
func compute(ctx context.Context, work func() int) int {
	res := make(chan int)
	go func() {
		v := work()
		select {
		case res <- v:
		case <-ctx.Done():
		}
	}()
	return <-res
}

// A non-blocking send drops the value when the receiver is not there yet: a select, not followed.
func notify() {
	done := make(chan struct{})
	go func() {
		select {
		case done <- struct{}{}:
		default:
		}
	}()
	<-done
}

var errStop = errors.New("stop")

// Every path sends: fine.
func always(f func() error) error {
	errc := make(chan error)
	go func() {
		if err := f(); err != nil {
			errc <- err
			return
		}
		errc <- nil
	}()
	return <-errc
}

// The goroutine closes the channel on the way out: the receive sees the close.
func closes(f func() error) bool {
	ch := make(chan bool)
	go func() {
		defer close(ch)
		if f() != nil {
			return
		}
		ch <- true
	}()
	return <-ch
}

// The receiver selects: another case may be its way out.
func selects(ctx context.Context, f func() (int, error)) (int, error) {
	ch := make(chan int)
	go func() {
		v, err := f()
		if err != nil {
			return
		}
		ch <- v
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A panic ends the program: not a return without sending.
func panics(f func() (int, error)) int {
	ch := make(chan int)
	go func() {
		v, err := f()
		if err != nil {
			panic(err)
		}
		ch <- v
	}()
	return <-ch
}

// Goroutines started in a loop: how many sends and receives match is not checked.
func many(n int, f func(int) (int, bool)) (sum int) {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			v, ok := f(i)
			if !ok {
				return
			}
			ch <- v
		}()
	}
	for i := 0; i < n; i++ {
		sum += <-ch
	}
	return sum
}

// Buffered: a different story (the receive still waits, but the shape is not this rule's).
func buffered(f func() error) error {
	ch := make(chan error, 1)
	go func() {
		if f() == nil {
			return
		}
		ch <- errStop
	}()
	return <-ch
}

// A loop that sends is taken to run at least once.
func stream(items []int) int {
	ch := make(chan int)
	go func() {
		for _, it := range items {
			ch <- it
			return
		}
	}()
	return <-ch
}

// The same condition keeps the function from receiving: quiet.
func sameCondition(skip bool, work func() int) int {
	ch := make(chan int)
	go func() {
		if skip {
			return
		}
		ch <- work()
	}()
	if skip {
		return 0
	}
	return <-ch
}

// An error the goroutine checks after a loop of work.
func firstLine(lines func() ([]string, error)) string {
	out := make(chan string)
	go func() {
		ls, err := lines()
		if err != nil || len(ls) == 0 {
			return
		}
		out <- ls[0]
	}()
	return <-out // want `<-out waits forever if the goroutine started at line 169 returns at line 172 without sending`
}

// The channel passed in as the goroutine's parameter.
func passedIn(f func() (int, error)) int {
	ch := make(chan int)
	go func(out chan<- int) {
		v, err := f()
		if err != nil {
			return
		}
		out <- v
	}(ch)
	return <-ch // want `<-ch waits forever if the goroutine started at line 182 returns at line 185 without sending`
}
