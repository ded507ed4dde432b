"""a deferred Lock of a held lock, where Unlock was meant

## What it does
Finds `defer mu.Lock()` (or `defer mu.RLock()`) at a point where the function holds `mu` on
every path: typically `mu.Lock()` immediately followed by `defer mu.Lock()`.

## Why is this bad?
It is almost always a typo for `defer mu.Unlock()`. As written, the lock is never released,
and the deferred call locks it a second time when the function returns: the goroutine
deadlocks on its own lock, and every later caller blocks too.

## Example
```go
mu.Lock()
defer mu.Lock()
```

## Use instead
```go
mu.Lock()
defer mu.Unlock()
```

## Limitations
Uses the same per-function lock analysis as `lock-not-released`: the receiver must be visibly a
`sync.Mutex`, `sync.RWMutex` or `sync.Locker`, written without calls, and held on every path
to the `defer`. `mu.Unlock(); defer mu.Lock()` (release a lock the caller holds, take it back
on return) is fine and not reported.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import events, line_of


@rule(code="GC3003", name="defer-lock-after-lock", severity=Severity.ERROR)
def check(ctx):
    for ev in events(ctx, "defer_lock"):
        op = ev.op
        first = ev.other
        taken = "RLock" if ev.mode_held == "R" else "Lock"
        release = "RUnlock" if ev.mode_held == "R" else "Unlock"
        recv = op.text
        where = f" at line {line_of(first)}" if first is not None else ""
        related = [ctx.related(first, f"{recv} {'read-' if taken == 'RLock' else ''}locked here")] if first is not None else []
        yield ctx.report(op.call, f"defer {recv}.{op.op}() after {recv}.{taken}(){where}: the lock is never "
                                  f"released; did you mean defer {recv}.{release}()?", related=related)
