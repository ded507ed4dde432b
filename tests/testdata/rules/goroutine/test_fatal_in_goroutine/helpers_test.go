package test_fatal_in_goroutine

import (
	"testing"
)

// mustFetch calls t.Fatal on its parameter: fine from the test's goroutine, not from another.
func mustFetch(t *testing.T) string {
	t.Helper()
	s, err := fetch()
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return s
}

// checkFetch only reports.
func checkFetch(t testing.TB) {
	if _, err := fetch(); err != nil {
		t.Error(err)
	}
}

// subtests calls Fatal only on its subtests' own t.
func subtests(t *testing.T) {
	t.Run("a", func(t *testing.T) {
		t.Fatal("x")
	})
}

// fatalOnOther calls Fatal on another value whose name ends like the parameter's.
func fatalOnOther(t *testing.T, st fakeT) {
	st.Fatal("x")
	t.Log("ok")
}

// spawns starts its own goroutine that calls Fatal: reported there, not at its callers.
func spawns(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Fatal("x") // want `t.Fatal called from a goroutine`
	}()
	<-done
}

type suite struct{ name string }

func (s *suite) must(t *testing.T) {
	if s.name == "" {
		t.FailNow()
	}
}

// Helpers started with go.
func TestGoHelper(t *testing.T) {
	go mustFetch(t)  // want `^mustFetch calls t.Fatalf \(line 12\) and is started as a goroutine: Fatalf ends only that goroutine, not the test; call it without go, or report errors back to the test$`
	go checkFetch(t) // Error only: fine
	go subtests(t)
	go fatalOnOther(t, fakeT{})
	s := &suite{}
	go s.must(t) // want `must calls t.FailNow \(line 51\) and is started as a goroutine`
}

// Helpers called from a goroutine.
func TestHelperInGoroutine(t *testing.T) {
	done := make(chan struct{})
	s := &suite{}
	go func() {
		defer close(done)
		_ = mustFetch(t) // want `^mustFetch calls t.Fatalf \(line 12\) and is called from a goroutine the test started: Fatalf ends only this goroutine, not the test; report the error back to the test instead$`
		checkFetch(t)
		subtests(t)
		fatalOnOther(t, fakeT{})
		spawns(t)
		s.must(t) // want `must calls t.FailNow \(line 51\) and is called from a goroutine`
	}()
	<-done
}

// Helpers called from the test's own goroutine, and a helper in a subtest inside a goroutine.
func TestHelperInTest(t *testing.T) {
	_ = mustFetch(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("sub", func(t *testing.T) {
			_ = mustFetch(t)
		})
	}()
	<-done
}

// A local function value named like a package helper is not that helper.
func TestLocalShadowsHelper(t *testing.T) {
	mustFetch := func(t *testing.T) string { return t.Name() }
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = mustFetch(t)
	}()
	<-done
	go mustFetch(t)
}
