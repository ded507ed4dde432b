"""the runtime aborted: a mutex was unlocked while not locked

## What it does
Reports the fatal errors `sync: unlock of unlocked mutex`, `sync: Unlock of unlocked RWMutex`
and `sync: RUnlock of unlocked RWMutex` at the user code that made the call.

## Why is this bad?
It is a fatal error, not a panic: `recover` cannot catch it and the process dies. It usually
means one path releases the lock twice, or a lock is released by code that never took it.

## Example
```go
s.mu.Lock()
if s.v == 0 {
	s.mu.Unlock() // and falls through to the second Unlock
}
s.v = 0
s.mu.Unlock()
```

## Use instead
```go
s.mu.Lock()
defer s.mu.Unlock()
s.v = 0
```

## Limitations
Only what happens during the tests is seen.
"""

from goconc.model import Severity
from goconc.registry import rule


@rule(code="GC9007", name="unlock-of-unlocked-mutex", severity=Severity.ERROR, dynamic=True)
def check(ctx):
    """Reported by `goconc race` and `goconc explain` from the runtime's fatal error."""
    return ()
