"""a //goconc:ignore directive that suppresses nothing

## What it does
Reports a `//goconc:ignore` or `//goconc:file-ignore` directive that did not suppress any
finding of the rules it names, when all those rules ran.

## Why is this bad?
Stale suppressions hide the next real bug on that line, and tell readers something about the
code that is no longer true.

## Example
```go
mu.Lock() //goconc:ignore GC3002 released by the caller
defer mu.Unlock()
```

## Use instead
```go
mu.Lock()
defer mu.Unlock()
```

## Limitations
A directive that names a rule that did not run (because of `--select` or `--ignore`) is never
reported as unused.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC0002", name="unused-suppression", severity=Severity.WARNING)
def check(ctx):
    """Emitted by the engine after the rules ran (see goconc.suppress)."""
    return ()
