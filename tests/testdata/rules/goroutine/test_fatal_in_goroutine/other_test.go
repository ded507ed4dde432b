package test_fatal_in_goroutine

import "testing"

// A helper of another file of the package.
func TestHelperOtherFile(t *testing.T) {
	go mustFetch(t) // want `mustFetch calls t.Fatalf \(helpers_test.go:12\) and is started as a goroutine`
}
