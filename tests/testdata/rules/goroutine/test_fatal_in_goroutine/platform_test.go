//go:build !plan9

package test_fatal_in_goroutine

import "testing"

// waitReady is declared again, differently, in platform_plan9_test.go: goconc does not know
// which declaration is built, so it does not follow either.
func waitReady(t *testing.T) {
	if _, err := fetch(); err != nil {
		t.Fatal(err)
	}
}

func TestPlatformHelper(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		waitReady(t) // todo-want `waitReady calls t.Fatal`
	}()
	<-done
}
