"""Rules of the mutex family."""
