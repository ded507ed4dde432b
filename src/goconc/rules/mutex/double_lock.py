"""a mutex locked again while this function already holds it

## What it does
Finds a `Lock` (or `RLock`) of a mutex that the same function already holds on every path to
that point, with no `Unlock` between: `mu.Lock(); ...; mu.Lock()`, or `mu.RLock()` followed by
`mu.Lock()` of the same `sync.RWMutex`; and a call, while the lock is held, of a function of
the package that takes that lock on every path (directly or through the functions it calls):
`s.mu.Lock(); s.flush()` where `flush` begins with `s.mu.Lock()`.

## Why is this bad?
Go's mutexes are not reentrant. A second `Lock` by the goroutine that holds the lock blocks
forever. `RLock` then `Lock` blocks forever too: the writer waits for the reader, which is
itself. A recursive `RLock` deadlocks as soon as another goroutine calls `Lock` between the
two, because a pending writer blocks new readers.

## Example
```go
func (s *Store) Put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full() {
		s.mu.Lock() // already held: blocks forever
		s.evict()
		s.mu.Unlock()
	}
	s.m[k] = v
}
```

## Use instead
```go
func (s *Store) Put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.full() {
		s.evict() // evict expects s.mu to be held
	}
	s.m[k] = v
}
```

## Limitations
A callee is followed when the call graph resolves it to a function or method of the same
package, or it is a closure called where it is written (`func() { ... }()`); not through an
interface or a func value, and only when it takes the lock on every
path to its return, with the lock named from the caller's side (its receiver or an argument,
not a value it computes). A callee that may release the lock in a way the analysis does not
follow (the lock's address or a method value of it passed on) ends tracking for its callers.
Calls in a `go` statement, in another goroutine or in a deferred call are not checked. The lock
must be held on *every* path to the second `Lock`, so a `Lock` in a loop body that is still held when the
loop goes round again is missed (the first iteration reaches it unlocked). The lock's type must
be visible (`sync.Mutex`, `sync.RWMutex`, `sync.Locker`); the receiver expression must be the
same text without calls (`s.Lock()` and `s.Mutex.Lock()` of an embedded mutex are the same
lock), and a reassignment of any variable in it ends the tracking.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import events, line_of


@rule(code="GC3006", name="double-lock", severity=Severity.ERROR)
def check(ctx):
    for ev in events(ctx, "double"):
        op = ev.op
        first = ev.other
        held = "read-locked" if ev.mode_held == "R" else "locked"
        where = f" at line {line_of(first)}" if first is not None else ""
        helper = _helper(ctx, first)
        if helper:
            where = f" (taken by {helper}() at line {line_of(first)})"
        if op.via:
            verb = "read-locks" if op.op == "RLock" else "locks"
            if op.op == "RLock" and ev.mode_held == "R":
                msg = (f"{op.via}() {verb} {op.text} again while this function holds its read lock{where}: "
                       "a recursive RLock deadlocks when a writer is waiting")
            else:
                msg = (f"{op.via}() {verb} {op.text} while {op.text} is already {held}{where}: "
                       "Go mutexes are not reentrant, this blocks forever")
        elif op.op == "RLock" and ev.mode_held == "R":
            msg = (f"{op.text} is read-locked again while this function holds its read lock{where}: "
                   "a recursive RLock deadlocks when a writer is waiting")
        else:
            msg = (f"{op.text}.{op.op}() while {op.text} is already {held}{where}: "
                   "Go mutexes are not reentrant, this blocks forever")
        related = [ctx.related(first, f"{op.text} {held} here" + (f" by {helper}()" if helper else ""))] \
            if first is not None else []
        yield ctx.report(op.call, msg, related=related)


def _helper(ctx, call) -> str:
    """The function written at `call` when it is not the lock's own Lock/RLock (a helper of
    the package that took the lock), else ""."""
    fn = call.child_by_field_name("function") if call is not None else None
    if fn is None:
        return ""
    name = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
    if name is not None and ctx.text(name) in ("Lock", "RLock"):
        return ""
    return "".join(ctx.text(fn).split())
