"""goconc: a Go concurrency expert."""

__version__ = "0.1.0"
