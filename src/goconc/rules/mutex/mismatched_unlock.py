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

## Fix safety
Safe: the fix renames the release to the one that matches how the lock is held on every path
to it (`RUnlock` after `RLock`, `Unlock` after `Lock`); the code as written crashes there
(or corrupts the lock while a writer waits), so no correct run depends on it. For a deferred
release, which runs at return rather than where it is written, the fix is offered only when
the function does nothing else with that lock after the `defer` (no later `Lock`, `RLock` or
release, no helper of the package that releases locks, no `mu.Unlock` passed as a function
value): a function that upgrades a read lock to a write lock after `defer mu.Unlock()` holds
the write lock at return, and its `Unlock` is right. A release that is not deferred gets no fix
when the function also defers a release of that lock (fixed, it would be released twice).

Every fix trusts that the function's own lock calls are all that changes the lock, so none is
offered when something else may: the function (or a closure in it) calls a function of the
package that releases or upgrades a lock, directly or through other calls, or calls a
function value of unknown origin (a parameter, a variable not bound to a function literal);
or some function of the package lets a lock of the same field (`T.rw`) or package variable go
as a value (its address passed, stored or returned, a method value of it, `RLocker()`), so a
copy made there may release it here.

## Limitations
The receiver's type must be visibly a `sync.RWMutex` (a variable, parameter or field, embedded
fields too). The lock must be held in the other mode on every path to the release. A deferred
function literal that locks and unlocks the lock itself is a critical section of its own and is
not compared with the function's lock.

The lock is not checked at all in a function where its state may change out of sight: a
function literal of the same function that is not a critical section of its own (its first
operation on the lock is not an acquire, or its last is not a release, as in `func() {
rw.RUnlock(); rw.Lock() }()`, an upgrade), a method value of the lock (`up := rw.Lock`),
`rw.RLocker()`, or the lock's address (or a pointer to it, or the lock as a `sync.Locker`)
passed, stored or returned (`f(&s.rw)`); `mu := &s.rw` is an alias that is followed. A
deferred mismatch where a helper of the package upgrades the lock after the `defer` is still
reported, without a fix.
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


def _fix(ctx, op, want: str) -> Fix | None:
    items = fn_items(ctx, op.call)
    if fix_blocked(ctx, op):
        return None
    if op.deferred:
        if released_elsewhere(items, op.key):
            return None
        stmt_end = op.call.end_byte
        if any(it[0] == "op" and it[1].key == op.key and it[1].call.start_byte > stmt_end for it in items):
            return None  # the lock changes hands after the defer: the mode at return is not known
    elif any(it[0] == "op" and it[1].key == op.key and it[1].deferred and it[1].op in RELEASE for it in items):
        return None  # a deferred release too: fixed, the lock would be released twice
    name = method_name_node(op.call)
    if name is None:
        return None
    return Fix(f"Call {op.text}.{want}() instead of {op.text}.{op.op}()",
               (Edit(ctx.file.path, name.start_byte, name.end_byte, want),), Applicability.SAFE)


@rule(code="GC3004", name="mismatched-unlock", severity=Severity.ERROR, fix=FixAvailability.SOMETIMES)
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
                                  f"{op.op}(); use {want}()", related=related,
                         fixes=[f for f in [_fix(ctx, op, want)] if f is not None])
