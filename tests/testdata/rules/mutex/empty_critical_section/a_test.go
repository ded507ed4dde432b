package empty_critical_section

import "testing"

// Tests lock and unlock to create contention: not checked.
func TestContention(t *testing.T) {
	var sv Service
	sv.mu.Lock()
	sv.mu.Unlock()
	if sv.count != 0 {
		t.Fatal("count")
	}
}
