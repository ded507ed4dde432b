"""an RWMutex released with the wrong method

## What it does
Finds a `sync.RWMutex` that is read-locked with `RLock` and released with `Unlock`, or
write-locked with `Lock` and released with `RUnlock`, on a path where the function holds it
in only the other mode (deferred releases included).

## Why is this bad?
`Unlock` of a read-locked RWMutex, or `RUnlock` of a write-locked one, is a fatal runtime
error ("sync: Unlock of unlocked RWMutex", "sync: RUnlock of unlocked RWMutex") that cannot be
recovered; if it does not crash, the lock's state is corrupt and later callers deadlock.

## Example
```go
func (s *Stats) Get(k string) int {
	s.mu.RLock()
	defer s.mu.Unlock()
	return s.m[k]
}
```

## Use instead
```go
func (s *Stats) Get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[k]
}
```

## Limitations
The receiver's type must be visibly a `sync.RWMutex` (a variable, parameter or field, embedded
fields too). The lock must be held in the other mode on every path to the release. A deferred
function literal that locks and unlocks the lock itself is a critical section of its own and is
not compared with the function's lock.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import events, line_of


@rule(code="GC3004", name="mismatched-unlock", severity=Severity.ERROR)
def check(ctx):
    for ev in events(ctx, "mismatch"):
        op = ev.op
        first = ev.other
        if ev.mode_held == "R":
            taken, want = "RLock", "RUnlock"
        else:
            taken, want = "Lock", "Unlock"
        where = f" at line {line_of(first)}" if first is not None else ""
        related = [ctx.related(first, f"{op.text}.{taken}() here")] if first is not None else []
        yield ctx.report(op.call, f"{op.text} was locked with {taken}(){where} but is released with "
                                  f"{op.op}(); use {want}()", related=related)
