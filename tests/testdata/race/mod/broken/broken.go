// Package broken does not compile: goconc race reports the compiler's message and goes on.
package broken

// Half returns half of n.
func Half(n int) int {
	return n / "2"
}
