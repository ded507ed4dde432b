package test_fatal_in_goroutine

import (
	"log"
	"sync"
	"testing"
)

// The doc's Example.
func TestDocExample(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			t.Fatal(err) // want `^t.Fatal called from a goroutine the test started: it ends only this goroutine, not the test; report the error with t.Error \(or send it back\) and return$`
		}
	}()
	<-done
}

// The doc's "Use instead".
func TestDocUseInstead(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		_, err := fetch()
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Every method that ends the goroutine.
func TestAllMethods(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := fetch(); err != nil {
			t.Fatalf("fetch: %v", err) // want `t.Fatalf called from a goroutine`
		}
		if t.Failed() {
			t.FailNow() // want `t.FailNow called from a goroutine`
		}
		switch {
		case testing.Short():
			t.Skip("short") // want `t.Skip called from a goroutine`
		case t.Name() == "":
			t.Skipf("%s", "x") // want `t.Skipf called from a goroutine`
		default:
			t.SkipNow() // want `t.SkipNow called from a goroutine`
		}
	}()
	wg.Wait()
}

// Error, Errorf, Log and Fail do not end the goroutine: fine.
func TestErrorIsFine(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			t.Error(err)
			t.Errorf("%v", err)
			t.Log(err)
			t.Fail()
			return
		}
	}()
	<-done
}

// Benchmarks too.
func BenchmarkFetch(b *testing.B) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			b.Fatal(err) // want `b.Fatal called from a goroutine`
		}
	}()
	<-done
}

// b.RunParallel runs its body on other goroutines too, but goconc does not look there.
func BenchmarkParallel(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := fetch(); err != nil {
				b.Fatal(err) // todo-want `b.Fatal called from a goroutine`
			}
		}
	})
}

// The test's t passed to the goroutine's literal as an argument.
func TestPassedIn(t *testing.T) {
	done := make(chan struct{})
	go func(t *testing.T) {
		defer close(done)
		if _, err := fetch(); err != nil {
			t.Fatal(err) // want `t.Fatal called from a goroutine`
		}
	}(t)
	<-done
}

// A copy of the test's t.
func TestCopied(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		tt := t
		tt.Fatal("x") // want `tt.Fatal called from a goroutine`
	}()
	<-done
}

// A subtest started from a goroutine: its t is its own, and t.Run may be called from any goroutine.
func TestSubtestInGoroutine(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("sub", func(t *testing.T) {
			if _, err := fetch(); err != nil {
				t.Fatal(err)
			}
		})
	}()
	<-done
}

// A goroutine inside a subtest: the subtest's t is still another goroutine's.
func TestGoroutineInSubtest(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			t.Fatal("x") // want `t.Fatal called from a goroutine`
		}()
		<-done
	})
}

// Nested goroutines and deferred closures: still not the test's goroutine.
func TestNested(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		inner := make(chan struct{})
		go func() {
			defer close(inner)
			defer func() {
				if r := recover(); r != nil {
					t.Fatal(r) // want `t.Fatal called from a goroutine`
				}
			}()
		}()
		<-inner
	}()
	<-done
}

// Shadowing: a local t that is not a testing value.
type fakeT struct{}

func (fakeT) Fatal(args ...any) {}
func (fakeT) FailNow()          {}

func TestShadowed(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := fakeT{}
		t.Fatal("not a testing.T")
		t.FailNow()
	}()
	<-done
	go func(t fakeT) {
		t.Fatal("not a testing.T")
	}(fakeT{})
}

// log.Fatal ends the process: another problem, not this rule's.
func TestLogFatal(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fetch(); err != nil {
			log.Fatal(err)
		}
	}()
	<-done
}

// A function literal called synchronously is the test's own goroutine.
func TestSyncClosure(t *testing.T) {
	check := func() {
		if _, err := fetch(); err != nil {
			t.Fatal(err)
		}
	}
	check()
	func() {
		t.FailNow()
	}()
}

// sync.WaitGroup.Go (Go 1.25) runs the function on a new goroutine.
func TestWaitGroupGo(t *testing.T) {
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := fetch(); err != nil {
			t.Fatal(err) // want `t.Fatal called from a goroutine`
		}
	})
	wg.Wait()
}
