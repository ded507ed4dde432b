// Package require is an offline stand-in for testify's require: its assertions stop the test
// with t.FailNow when they fail.
package require

// TestingT is what the assertions need of a test.
type TestingT interface {
	Errorf(format string, args ...any)
	FailNow()
}

// NoError stops the test when err is not nil.
func NoError(t TestingT, err error, msgAndArgs ...any) {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		t.FailNow()
	}
}

// Equal stops the test when a and b differ.
func Equal(t TestingT, a, b any, msgAndArgs ...any) {
	if a != b {
		t.Errorf("%v != %v", a, b)
		t.FailNow()
	}
}

// Assertions are the assertions bound to one test.
type Assertions struct{ t TestingT }

// New binds the assertions to t.
func New(t TestingT) *Assertions { return &Assertions{t} }

// NoError stops the test when err is not nil.
func (a *Assertions) NoError(err error, msgAndArgs ...any) { NoError(a.t, err, msgAndArgs...) }
