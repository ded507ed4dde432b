package mixed_atomic_access

import "testing"

// Tests read counters after the work is done.
func TestGets(t *testing.T) {
	p := NewPool()
	p.Get()
	if p.gets != 1 {
		t.Fatal(p.gets)
	}
}
