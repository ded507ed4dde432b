package timerfix

import (
	"errors"
	"time"
)

var errIdle = errors.New("idle")

func handle(m string) { _ = m }

// An event loop: one live timer per message.
func serve(msgs <-chan string) error {
	for {
		select {
		case m := <-msgs:
			handle(m)
		case <-time.After(time.Minute): // want `time.After in a select inside the loop at line 14 makes a timer every turn that lives until it fires \(before Go 1.23; this module says go 1.22\)`
			return errIdle
		}
	}
}

// The same with a plain receive case.
func drain(quit <-chan struct{}, msgs <-chan string) {
	for {
		select {
		case <-quit:
			return
		case m := <-msgs:
			handle(m)
		case t := <-time.After(30 * time.Second): // want `time.After in a select inside the loop at line 26`
			_ = t
		}
	}
}

// Negative: one timer, reset each turn.
func serveTimer(msgs <-chan string) error {
	idle := time.NewTimer(time.Minute)
	defer idle.Stop()
	for {
		select {
		case m := <-msgs:
			handle(m)
			if !idle.Stop() {
				<-idle.C
			}
			idle.Reset(time.Minute)
		case <-idle.C:
			return errIdle
		}
	}
}

// Negative: a select outside any loop.
func once(msgs <-chan string) (string, error) {
	select {
	case m := <-msgs:
		return m, nil
	case <-time.After(time.Second):
		return "", errIdle
	}
}

// Negative: a retry loop whose only case is the timer.
func retry(try func() bool) {
	for !try() {
		select {
		case <-time.After(10 * time.Millisecond):
		}
	}
}
