"""GC5xxx: contexts."""
