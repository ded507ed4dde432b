"""Rules of the waitgroup family."""
