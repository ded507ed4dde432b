"""a //goconc:ignore directive without a rule or a reason

## What it does
Reports a `//goconc:ignore` or `//goconc:file-ignore` directive that does not name a rule code
or name, or that gives no reason after it.

## Why is this bad?
A suppression without a reason cannot be reviewed: the next reader cannot tell whether the
finding was a false positive or a known bug left for later. A malformed directive also
suppresses nothing.

## Example
```go
mu.Lock() //goconc:ignore GC3002
```

## Use instead
```go
mu.Lock() //goconc:ignore GC3002 released by unlockAll, called by every caller
```

## Limitations
Only comments are read; a directive inside a string literal is ignored.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC0003", name="malformed-suppression", severity=Severity.WARNING)
def check(ctx):
    """Emitted by the engine while reading directives (see goconc.suppress)."""
    return ()
