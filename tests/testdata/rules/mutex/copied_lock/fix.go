package copied_lock

import "sync"

// Fixtures for `goconc fix`: the copied-lock fix is unsafe, so fix.go.golden is this file
// unchanged and fix.go.unsafe.golden has the fixes applied.

type fixGauge struct {
	mu sync.Mutex
	v  int
}

// Fixed: the receiver is only used to reach fields.
func (g fixGauge) value() int { // want `value has a value receiver of type fixGauge, which contains sync.Mutex`
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.v
}

// Fixed: an unnamed receiver.
func (fixGauge) unit() string { return "ms" } // want `unit has a value receiver of type fixGauge`

// Not fixed: the receiver itself is used (its address taken).
func (g fixGauge) is(o *fixGauge) bool { // want `is has a value receiver of type fixGauge`
	return &g == o
}

// Not fixed: a parameter copy (what to pass instead depends on the callers).
func fixShow(g fixGauge) int { // want `fixShow passes lock by value: parameter of type fixGauge contains sync.Mutex`
	return g.v
}
