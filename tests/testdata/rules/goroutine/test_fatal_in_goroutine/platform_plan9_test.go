package test_fatal_in_goroutine

import "testing"

func waitReady(t *testing.T) {
	t.Log("plan9")
}
