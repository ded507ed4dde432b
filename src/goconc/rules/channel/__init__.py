"""GC4xxx: channels."""
