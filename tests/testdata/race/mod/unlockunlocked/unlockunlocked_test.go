package unlockunlocked

import "testing"

func TestReset(t *testing.T) {
	var s Store
	s.Reset()
}
