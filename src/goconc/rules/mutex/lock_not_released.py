"""a lock that a return, break or continue path leaves held

## What it does
Finds a `Lock` or `RLock` that is still held when the function returns on some path (an early
return, an error branch), where the function releases the same lock on its other paths and no
deferred `Unlock` covers the return. The finding names the return and the branch that leads
to it. The same for a `break` or `continue` that skips the release at the end of the loop body
that took the lock: after a `continue` the next iteration locks it again and blocks for good
(or takes a read lock twice); after a `break` the function goes on with the lock held.

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

## Fix safety
Unsafe: the fix adds `defer mu.Unlock()` (or `RUnlock`) right after the `Lock` and deletes the
function's explicit releases of that lock. It is offered only when the function takes the lock
once, outside any loop, and every other release of it is a plain `mu.Unlock()` statement that
the function ends right after (the last statement of the function, or followed by a
`return`), and no variable of the lock's expression is assigned after the `Lock`; with any
other release, such as one in the middle followed by more work, no fix is offered. Even then the lock is now held a little longer than before: while the `return`'s
expressions are evaluated and while deferred calls registered after it run. If one of those
takes the same lock, or waits for a goroutine that does, the fixed function deadlocks. No fix
either when the lock may be released where the analysis does not look: a call (in the function
or a closure of it) to a function of the package that releases a lock, directly or through
other calls, or to a function value of unknown origin, or a lock of the same field or package
variable that some function of the package lets go as a value.

## Limitations
The lock's type must be visible in the package: a `sync.Mutex`, `sync.RWMutex` or `sync.Locker`
variable, parameter or struct field (embedded fields too). The analysis is per function and
path-sensitive: it reports a return only when the lock is held on *every* path that reaches it
(so `if c { mu.Lock() } ... if c { mu.Unlock() }` is not reported), and only when the function
unlocks that lock later in its source, which shows the return skips a release. Functions that
return with the lock held on purpose (a `lock()` helper, or "returns with mu held" designs where
only the error path unlocks) are therefore not reported; this also misses a `goto` to an exit
placed after the `Unlock`. A release written later as `defer mu.Unlock()` counts: a return before
the `defer` leaks the lock. Calls of the package's functions and methods are followed through
their summaries: a helper that returns with the lock held (`s.lock()`) takes it, one that
releases a lock its caller holds (`s.unlock()`) releases it, so `s.lock(); if err != nil {
return err }; s.unlock()` is reported too. A call whose effect on locks is not known (a helper
that lets the lock's address escape, a func value of unknown origin named like a releaser),
using a method value of the lock,
`RLocker()`, passing, storing or returning its address (or a pointer to it, or the lock as a
`sync.Locker`), or a goroutine or closure that is not a critical section of its own (it does
not take the lock first and release it last) stops the analysis of that lock. A `break` or `continue` is
reported only when the lock is held on every path to it, was taken in the loop's body and is
released later in that body, and when the state it carries differs from the loop's own: for
`continue`, some iteration starts without the lock; for `break`, some way out of the loop is
without it and nothing after the loop releases it (so a "lock when ready" loop that breaks
with the lock held and releases it after the loop is quiet, as is a helper that returns with
it held on every path). `TryLock` is not tracked. A local
`mu := &c.mu` is the same lock as `c.mu`; a type with Lock/Unlock methods of its own is not
treated as a lock, nor is a type parameter.
"""

from __future__ import annotations

from goconc.fixes import delete_statement, insert_line_after
from goconc.gomodel import enclosing_function
from goconc.model import Applicability, Fix, FixAvailability, Severity
from goconc.registry import rule
from goconc.rules._helpers import assigned_names, loop_ancestor
from goconc.rules.mutex._common import events, fix_blocked, fn_items, line_of, released_elsewhere
from goconc.rules.mutex._lockflow import ACQUIRE


def _next_statement(stmt):
    n = stmt.next_named_sibling
    while n is not None and n.type == "comment":
        n = n.next_named_sibling
    return n


def _ends_function(stmt, body) -> bool:
    """The function ends right after `stmt`: a `return` follows, or it is the body's last."""
    nxt = _next_statement(stmt)
    if nxt is not None:
        return nxt.type == "return_statement"
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else stmt.parent
    return block == body


def _reassigned_after(gf, body, names, after: int) -> bool:
    """A variable of the lock's expression is assigned after `after`: `defer mu.Unlock()` right
    after the Lock would release the lock the expression named then, not at the release."""
    stack = [body]
    while stack:
        n = stack.pop()
        if n.end_byte <= after:
            continue
        if n.start_byte >= after and assigned_names(gf, n) & names:
            return True
        stack.extend(n.named_children)
    return False


def _fix(ctx, op, release: str) -> Fix | None:
    stmt = op.call.parent
    fn = enclosing_function(op.call)
    body = fn.child_by_field_name("body") if fn is not None else None
    if op.via or op.deferred or stmt is None or stmt.type != "expression_statement" or body is None \
            or loop_ancestor(stmt, fn) is not None:
        return None
    items = fn_items(ctx, op.call)
    if released_elsewhere(items, op.key) or fix_blocked(ctx, op):
        return None  # released where the analysis does not look: deleting our releases may leak
    gf = ctx.file
    src = gf.src
    insert = insert_line_after(gf.path, src, stmt.start_byte, stmt.end_byte, f"defer {op.text}.{release}()")
    if insert is None:
        return None
    edits = [insert]
    for it in items:
        if it[0] != "op" or it[1].key != op.key or it[1].call == op.call:
            continue
        other = it[1]
        if other.via:
            return None  # a helper releases it: not ours to move
        if other.op in ACQUIRE or other.deferred or other.op != release or other.call.start_byte < stmt.end_byte:
            return None  # taken again, released in another mode, deferred, or released before
        rel = other.call.parent
        if rel is None or rel.type != "expression_statement" or enclosing_function(other.call) != fn \
                or not _ends_function(rel, body):
            return None  # a release followed by more work: a defer would hold the lock over it
        edit = delete_statement(gf.path, src, rel.start_byte, rel.end_byte)
        if edit is None:
            return None
        edits.append(edit)
    if len(edits) < 2 or _reassigned_after(gf, body, op.roots, stmt.end_byte):
        return None
    return Fix(f"Defer {op.text}.{release}() right after {op.text}.{op.op}()", tuple(edits), Applicability.UNSAFE)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _jumps(ctx):
    """A break or continue that skips the loop body's release."""
    done = set()
    for ev in sorted(events(ctx, "jump"), key=lambda e: (e.op.call.start_byte, e.other.start_byte)):
        op, jump, rel = ev.op, ev.other, ev.skipped
        if op.call.id in done:
            continue  # one finding per Lock: the first jump that skips its release
        done.add(op.call.id)
        what = "read lock" if op.op == "RLock" else "lock"
        release = "RUnlock" if op.op == "RLock" else "Unlock"
        word = "break" if jump.type == "break_statement" else "continue"
        if word == "continue":
            after = (f"the next iteration starts with {op.text} still held, so its {op.text}.{op.op}() "
                     f"waits for good" if op.op == "Lock" else
                     f"the next iteration read-locks {op.text} again, which deadlocks once a writer waits")
        else:
            after = f"the loop is left with {op.text} still held and nothing after it releases it"
        skipped = f"{rel.via}()" if rel.via else f"{op.text}.{rel.op}()"
        taken = f" (taken by {op.via}())" if op.via else ""
        yield ctx.report(
            op.call,
            f"{what} on {op.text}{taken} is not released on the path that leaves through `{word}` at line "
            f"{line_of(jump)}, which skips {skipped} at line {line_of(rel.call)}: {after}; "
            f"call {op.text}.{release}() before the {word}",
            related=[ctx.related(jump, f"{word} with {op.text} still locked"),
                     ctx.related(rel.call, "the release it skips")],
        )


@rule(code="GC3002", name="lock-not-released", severity=Severity.ERROR, fix=FixAvailability.SOMETIMES)
def check(ctx):
    yield from _jumps(ctx)
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
        taken = f" (taken by {op.via}())" if op.via else ""
        yield ctx.report(
            op.call,
            f"{what} on {op.text}{taken} is not released on the path that returns at line {line_of(ret)}{via}: "
            f"add {op.text}.{release}() before that return, or defer it",
            related=[ctx.related(ret, f"returns with {op.text} still locked")],
            fixes=[f for f in [_fix(ctx, op, release)] if f is not None],
        )
