"""sync.WaitGroup panicked: negative counter, Add during Wait

## What it does
Reports the panics `sync: negative WaitGroup counter`, `sync: WaitGroup misuse: Add called
concurrently with Wait` and `sync: WaitGroup is reused before previous Wait has returned`, at the
user code of the goroutine that panicked.

## Why is this bad?
A counter that goes negative means Done ran more often than Add counted: Wait may already have
returned while work was still running. The panic usually happens after the test it belongs to.

## Example
```go
go func(j func()) {
	defer wg.Done()
	j()
	wg.Done() // counted twice
}(j)
```

## Use instead
```go
go func(j func()) {
	defer wg.Done()
	j()
}(j)
```

## Limitations
Only panics that happen while the tests run are seen. The static rules GC2001-GC2003 find some
of these bugs without running anything.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9006", name="waitgroup-misuse", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` and `goconc explain` from the runtime's panic."""
    return ()
