"""a rule failed on this file

## What it does
Reports that one of goconc's rules raised an internal error on a file. The run goes on with
the other rules and files.

## Why is this bad?
It is goconc's bug, not yours: findings of that rule may be missing for this file. Please
report it with the file (or a small version of it).

## Example
```go
// any file that triggers a goconc bug
```

## Use instead
```go
// nothing to change in your code
```

## Limitations
None.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC0004", name="internal-error", severity=Severity.ERROR)
def check(ctx):
    """Emitted by the engine when a rule raises."""
    return ()
