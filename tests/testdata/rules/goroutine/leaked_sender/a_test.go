package leaked_sender

import (
	"testing"
	"time"
)

// A test that fails on the timeout: the leak is a symptom of a failure already reported.
func TestTimeout(t *testing.T) {
	ch := make(chan int)
	go func() { ch <- 1 }()
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Error("timed out")
		return
	}
}

// A test helper that returns early without failing: the goroutine leaks into the next test.
func TestEarly(t *testing.T) {
	ch := make(chan int)
	go func() { ch <- 1 }() // want `blocks forever on its send to ch if the function returns at line 25`
	if testing.Short() {
		return
	}
	<-ch
}

type fakeSuite struct{ t *testing.T }

func (s *fakeSuite) FailNow(msg string) { s.t.FailNow() }

// A testify-style suite failing the test on the timeout path.
func TestSuiteTimeout(t *testing.T) {
	s := &fakeSuite{t}
	ch := make(chan int)
	go func() { ch <- 1 }()
	select {
	case <-ch:
	case <-time.After(time.Second):
		s.FailNow("timeout")
		return
	}
}

// A timeout that sets a flag, then fails the test: the path falls off the end, not reported.
func TestFlagged(t *testing.T) {
	ch := make(chan int)
	go func() { ch <- 1 }()
	timedOut := false
	select {
	case <-ch:
	case <-time.After(time.Second):
		timedOut = true
	}
	if timedOut {
		t.Fatal("timeout")
	}
}
