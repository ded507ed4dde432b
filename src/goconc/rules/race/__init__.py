"""GC7xxx: data races found in the source (goroutines that share what they write)."""
