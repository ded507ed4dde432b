"""two goroutines accessed memory at once, one of them writing

## What it does
`goconc race` runs the tests with `-race` and reports every data race the detector printed, at
the user code nearest the top of an access's stack: the write, when only one of the two accesses
writes (otherwise the earlier line), so that the finding does not move with the order in which
the detector happened to see them. The message names both accesses (read or write, map or slice,
the function and the goroutine); related locations give the other access and where each
goroutine was started. Reports of the same pair of lines are merged, with a count.

## Why is this bad?
A data race is undefined behaviour in Go's memory model: torn reads, lost updates, and for maps a
crash of the whole program (`concurrent map writes`). Races come and go with scheduling, so a
test that passes once proves nothing; the race detector proves that this one happened.

## Example
```go
type Cache struct{ m map[string]int }

func (c *Cache) Set(k string, v int) { c.m[k] = v } // called from several goroutines
func (c *Cache) Get(k string) int    { return c.m[k] }
```

## Use instead
```go
type Cache struct {
	mu sync.RWMutex
	m  map[string]int
}

func (c *Cache) Set(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
}

func (c *Cache) Get(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}
```

## Limitations
Only races that happen while the tests run are seen: code the tests do not reach, or schedules
they never produce, report nothing. `goconc race` runs each test several times (`--count`, `--cpu`,
`--shuffle`, `--runs`) to make rare schedules likelier. The detector keeps a bounded history
(`GORACE=history_size`, set to 2 by goconc); an old access may show as "failed to restore the stack".
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9001", name="data-race", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` from the race detector's output."""
    return ()
