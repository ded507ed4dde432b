"""Rules of the goroutine family."""
