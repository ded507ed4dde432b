package testifyfix

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
)

func fetch(n int) (int, error) {
	if n < 0 {
		return 0, errors.New("negative")
	}
	return n, nil
}

func TestFetchAll(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := fetch(i)
			require.NoError(t, err) // want `require.NoError called from a goroutine the test started: when it fails it calls t.FailNow, which ends only this goroutine, not the test; use assert.NoError`
			require.Equal(t, i, v)  // want `require.Equal called from a goroutine the test started`
		}()
	}
	wg.Wait()
}

func TestBound(t *testing.T) {
	r := require.New(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := fetch(1)
		r.NoError(err) // want `r.NoError called from a goroutine the test started`
	}()
	<-done
}

type StoreSuite struct {
	suite.Suite
	n int
}

func (s *StoreSuite) TestParallelWrites() {
	var wg sync.WaitGroup
	wg.Add(2)
	for range 2 {
		go func() {
			defer wg.Done()
			_, err := fetch(s.n)
			s.Require().NoError(err)    // want `s.Require\(\).NoError called from a goroutine the test started: .* use s.Assert\(\).NoError`
			require.NoError(s.T(), err) // want `require.NoError called from a goroutine the test started`
			assert.NoError(s.T(), err)  // assert only marks the test failed
			s.Assert().NoError(err)     // same
		}()
	}
	wg.Wait()
}

func TestStore(t *testing.T) { suite.Run(t, new(StoreSuite)) }

// ---- not reported ----

func TestOnTheTestGoroutine(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		_, err := fetch(2)
		errc <- err
	}()
	require.NoError(t, <-errc)
}

func TestAssertInGoroutine(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := fetch(3)
		assert.NoError(t, err)
	}()
	<-done
}

// A subtest's own t, inside t.Run in the goroutine.
func TestSubtestInGoroutine(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("x", func(t *testing.T) {
			require.NoError(t, nil)
		})
	}()
	<-done
}

func TestMadeInside(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := require.New(t)
		_, err := fetch(4)
		r.NoError(err) // want `r.NoError called from a goroutine the test started`
	}()
	<-done
}

// A literal built in the goroutine but run by the test itself.
func TestSentBack(t *testing.T) {
	fc := make(chan func(), 1)
	go func() {
		_, err := fetch(5)
		fc <- func() { require.NoError(t, err) }
	}()
	(<-fc)()
}

func view(f func() error) error { return f() }

// A callback runs on the goroutine that calls it; a cleanup on the test's.
func TestCallbacks(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = view(func() error {
			_, err := fetch(6)
			require.NoError(t, err) // want `require.NoError called from a goroutine the test started`
			return nil
		})
		t.Cleanup(func() { require.NoError(t, nil) })
	}()
	<-done
}
