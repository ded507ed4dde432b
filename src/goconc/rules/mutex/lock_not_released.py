"""a lock that a return path leaves held

## What it does
Finds a `Lock` or `RLock` that is still held when the function returns on some path (an early
return, an error branch), where the function releases the same lock on its other paths and no
deferred `Unlock` covers the return. The finding names the return and the branch that leads
to it.

## Why is this bad?
The lock stays held after the function returns. The next `Lock` of it, in any goroutine,
blocks forever: a deadlock that only shows on the rare path (usually the error path), so tests
seldom catch it.

## Example
```go
func (c *Cache) Get(k string) (string, error) {
	c.mu.Lock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound // c.mu still locked
	}
	c.mu.Unlock()
	return v, nil
}
```

## Use instead
```go
func (c *Cache) Get(k string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if !ok {
		return "", errNotFound
	}
	return v, nil
}
```

## Limitations
The lock's type must be visible in the package: a `sync.Mutex`, `sync.RWMutex` or `sync.Locker`
variable, parameter or struct field (embedded fields too). The analysis is per function and
path-sensitive: it reports a return only when the lock is held on *every* path that reaches it
(so `if c { mu.Lock() } ... if c { mu.Unlock() }` is not reported), and only when the function
unlocks that lock later in its source, which shows the return skips a release. Functions that
return with the lock held on purpose (a `lock()` helper, or "returns with mu held" designs where
only the error path unlocks) are therefore not reported; this also misses a `goto` to an exit
placed after the `Unlock`. A release written later as `defer mu.Unlock()` counts: a return before
the `defer` leaks the lock. A call to a function of the package that releases a lock it did not
take itself, using `mu.Unlock` as a function value, or releasing the lock in a goroutine or
closure that did not take it stops the analysis of that lock. `TryLock` is not tracked. A local
`mu := &c.mu` is the same lock as `c.mu`; a type with Lock/Unlock methods of its own is not
treated as a lock, nor is a type parameter.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.mutex._common import events, line_of


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


@rule(code="GC3002", name="lock-not-released", severity=Severity.ERROR)
def check(ctx):
    for ev in events(ctx, "leak"):
        op = ev.op
        ret = ev.other
        via = ""
        if ev.path:
            node, outcome = ev.path[-1]
            if outcome == "case":
                text = ctx.text(node).split(":", 1)[0].split("\n", 1)[0]
                via = f" (in `{_short(text)}` at line {line_of(node)})"
            else:
                text = _short(ctx.text(node).split("\n", 1)[0])
                via = f" (when `{text}`{' is false' if outcome == 'false' else ''} at line {line_of(node)})"
        what = "read lock" if op.op == "RLock" else "lock"
        release = "RUnlock" if op.op == "RLock" else "Unlock"
        yield ctx.report(
            op.call,
            f"{what} on {op.text} is not released on the path that returns at line {line_of(ret)}{via}: "
            f"add {op.text}.{release}() before that return, or defer it",
            related=[ctx.related(ret, f"returns with {op.text} still locked")],
        )
