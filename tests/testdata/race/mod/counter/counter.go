// Package counter counts without a lock.
package counter

// Counter counts events. It is NOT safe for concurrent use.
type Counter struct {
	n int
}

// Inc adds one.
func (c *Counter) Inc() { c.n++ }

// Value returns the count.
func (c *Counter) Value() int { return c.n }
