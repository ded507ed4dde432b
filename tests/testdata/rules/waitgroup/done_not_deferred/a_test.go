package done_not_deferred

import (
	"sync"
	tst "testing"
)

// t.Fatal in the goroutine ends it (through runtime.Goexit) without Done.
func TestFatalSkipsDone(t *tst.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if _, err := fetch(""); err != nil {
			t.Fatal(err)
		}
		wg.Done() // want `wg.Done\(\) is not deferred, and a path that calls t.Fatal at line \d+ skips it`
	}()
	wg.Wait()
}

// t.Error does not end the goroutine: fine.
func TestErrorKeepsDone(t *tst.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		if _, err := fetch(""); err != nil {
			t.Error(err)
		}
		wg.Done()
	}()
	wg.Wait()
}

type fakeT struct{}

func (fakeT) Fatal(args ...any) {}

// Fatal on something that is not a testing.T (and not a logger that exits): not an exit.
func TestFatalOnOther(t *tst.T) {
	var wg sync.WaitGroup
	var f fakeT
	wg.Add(1)
	go func() {
		if t.Name() == "" {
			f.Fatal("x")
		}
		wg.Done()
	}()
	wg.Wait()
}
