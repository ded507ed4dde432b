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

## Fix safety
Safe: the fix renames the deferred call to the release that matches the mode the lock is held
in (`Unlock` after `Lock`, `RUnlock` after `RLock`). It is offered only when the function has
no other release of that lock (no `Unlock`/`RUnlock` of it anywhere in the function, no helper
of the package that releases locks, no `mu.Unlock` passed as a function value). Then the lock
is held on every path from the `defer` to the return, and the code as written can only leave it
locked and block on the deferred `Lock`; with the fix, the lock is released exactly once, at
return. Otherwise no fix is offered: a function that releases the lock itself may mean the
deferred `Lock` (release, then take it back for the caller).

"No other release" is trusted only as far as the analysis sees: no fix either when the
function (or a closure in it) calls a function of the package that releases a lock directly
or through other calls (`h.drop()` where `drop` calls `dropLocked`, which unlocks), or a
function value of unknown origin (a parameter, a variable not bound to a function literal),
or when some function of the package lets a lock of the same field (`T.mu`) or package
variable go as a value (its address, a method value, the lock as a `sync.Locker`), so a copy
made there may release it here.

## Limitations
Uses the same per-function lock analysis as `lock-not-released`: the receiver must be visibly a
`sync.Mutex`, `sync.RWMutex` or `sync.Locker`, written without calls, and held on every path
to the `defer`. `mu.Unlock(); defer mu.Lock()` (release a lock the caller holds, take it back
on return) is fine and not reported. Nor is a lock whose address (or a pointer to it, or the
lock as a `sync.Locker`) the function passes, stores or returns (`util.Release(&s.mu)`), one
used as a method value (`unlock := s.mu.Unlock`), or one that a function literal of the same
function releases without taking it first: whatever receives it may release it, and the
deferred `Lock` then takes it back as meant.
"""

from __future__ import annotations

from goconc.model import Applicability, Edit, Fix, FixAvailability, Severity
from goconc.registry import rule
from goconc.rules.mutex._common import (
    events,
    fix_blocked,
    fn_items,
    line_of,
    method_name_node,
    released_elsewhere,
)
from goconc.rules.mutex._lockflow import RELEASE


def _fix(ctx, op, release: str) -> Fix | None:
    items = fn_items(ctx, op.call)
    if fix_blocked(ctx, op):
        return None
    if released_elsewhere(items, op.key):
        return None
    if any(it[0] == "op" and it[1].key == op.key and it[1].op in RELEASE for it in items):
        return None  # the function releases the lock itself: the deferred Lock may be meant
    name = method_name_node(op.call)
    if name is None:
        return None
    return Fix(f"Call {op.text}.{release}() instead of {op.text}.{op.op}()",
               (Edit(ctx.file.path, name.start_byte, name.end_byte, release),), Applicability.SAFE)


@rule(code="GC3003", name="defer-lock-after-lock", severity=Severity.ERROR, fix=FixAvailability.SOMETIMES)
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
                                  f"released; did you mean defer {recv}.{release}()?", related=related,
                         fixes=[f for f in [_fix(ctx, op, release)] if f is not None])
