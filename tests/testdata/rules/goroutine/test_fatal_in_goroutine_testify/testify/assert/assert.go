// Package assert is an offline stand-in for testify's assert, enough for fixtures to compile:
// its assertions mark the test failed and return.
package assert

// TestingT is what the assertions need of a test.
type TestingT interface {
	Errorf(format string, args ...any)
}

// NoError reports whether err is nil, marking the test failed when it is not.
func NoError(t TestingT, err error, msgAndArgs ...any) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}
