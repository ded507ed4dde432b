package leaked_sender

import (
	"context"
	"errors"
	"time"
)

// The goroutine runs a function of the package that sends its result on its parameter.

func downloadTo(url string, out chan<- string) {
	out <- "body of " + url
}

func fetchWorker(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go downloadTo(url, ch) // want `the goroutine running downloadTo blocks forever on its send to ch if the function returns at line 22 without receiving from ch \(through .case <-ctx.Done\(\). at line 21\)`
	select {
	case body := <-ch:
		return body, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

type prober struct{ addr string }

func (p *prober) probe(done chan error) {
	time.Sleep(10 * time.Millisecond)
	done <- errors.New(p.addr + " unreachable")
}

func (p *prober) Check(timeout time.Duration) error {
	done := make(chan error)
	go p.probe(done) // want `the goroutine running p.probe blocks forever on its send to done if the function returns at line 40 without receiving from done \(through .case <-time.After\(timeout\). at line 39\)`
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return errors.New("timeout")
	}
}

// Negatives: a worker that may return without sending, gives up in a select, or passes the
// channel on is not a sure leak; a buffered channel never blocks the send.

func sendIfOK(ok bool, out chan<- int) {
	if !ok {
		return
	}
	out <- 1
}

func giveUpSend(ctx context.Context, out chan<- int) {
	select {
	case out <- 1:
	case <-ctx.Done():
	}
}

func relayTo(out chan<- int) {
	forwardTo(out)
}

func forwardTo(out chan<- int) { out <- 1 }

func workerNegatives(ctx context.Context, ok bool) int {
	a := make(chan int)
	go sendIfOK(ok, a)
	b := make(chan int)
	go giveUpSend(ctx, b)
	c := make(chan int)
	go relayTo(c)
	d := make(chan string, 1)
	go downloadTo("x", d)
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v
	case v := <-c:
		return v
	case <-d:
		return 0
	case <-ctx.Done():
		return -1
	}
}
