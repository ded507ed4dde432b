"""a deferred Unlock inside a loop

## What it does
Finds `defer mu.Unlock()` (or `RUnlock`, or a deferred function literal that unlocks:
`defer func() { mu.Unlock() }()`) inside a `for` loop body, where the loop can go round again
after the `defer` runs.

## Why is this bad?
Deferred calls run when the function returns, not at the end of the iteration. The lock taken
in the first iteration is still held when the second iteration locks it again, so the loop
deadlocks on its second pass; and when the function finally returns, the deferred calls
unlock the mutex several times ("fatal error: sync: unlock of unlocked mutex").

## Example
```go
for _, item := range items {
	mu.Lock()
	defer mu.Unlock()
	process(item)
}
```

## Use instead
```go
for _, item := range items {
	func() {
		mu.Lock()
		defer mu.Unlock()
		process(item)
	}()
}
```

## Limitations
The receiver must be visibly a `sync.Mutex`, `sync.RWMutex` or `sync.Locker`. A loop whose
body always returns after the `defer` (so it never runs twice) is not reported, nor one where a
variable in the receiver changes each iteration (`for p := c; p != nil; p = p.parent {
p.mu.Lock(); defer p.mu.Unlock() }` locks a different mutex each time), nor a defer under an
`if` whose condition reads a flag that the same `if` body sets (`if !locked { mu.Lock();
defer mu.Unlock(); locked = true }` runs once). A loop made with `goto`
is not seen.
"""

from __future__ import annotations

from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import assigned_names, loop_ancestor, root_names


def _once_guarded(ctx, stmt, loop) -> bool:
    """The defer sits under an `if` whose condition reads a flag that the same `if` body sets:
    it runs at most once however often the loop goes round."""
    node = stmt.parent
    while node is not None and node != loop:
        if node.type == "if_statement":
            cond = node.child_by_field_name("condition")
            body = node.child_by_field_name("consequence")
            if cond is not None and body is not None:
                flags = root_names(ctx.file, cond)
                if flags & _assigned_in_loop(ctx, body):
                    return True
        node = node.parent
    return False


def _assigned_in_loop(ctx, loop) -> set[str]:
    names: set[str] = set()
    stack = [loop]
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            continue
        names |= assigned_names(ctx.file, n)
        stack.extend(n.named_children)
    return names


@rule(code="GC3007", name="deferred-unlock-in-loop", severity=Severity.ERROR, query="deferred_unlock_in_loop.scm")
def check(ctx):
    if b"Unlock()" not in ctx.file.src:
        return
    from goconc.cfg import find_path

    for _, m in ctx.matches():
        stmt, recv, method = m["report"][0], m["recv"][0], m["method"][0]
        fn = enclosing_function(stmt)
        if fn is None:
            continue
        loop = loop_ancestor(stmt, fn)
        if loop is None:
            continue
        if ctx.pkg.lock_kind(ctx.type_of(recv)) is None:
            continue
        if root_names(ctx.file, recv) & _assigned_in_loop(ctx, loop):
            continue  # a different mutex each iteration (hand-over-hand locking)
        if _once_guarded(ctx, stmt, loop):
            continue  # `if !locked { mu.Lock(); defer mu.Unlock(); locked = true }`
        cfg = ctx.analysis.cfg(ctx.file, fn)
        if cfg is None:
            continue
        block = cfg.block_of(stmt)
        if block is None or not any(find_path(cfg, s, block) for s in block.succs):
            continue  # the defer can run only once: the loop does not come back to it
        text = ctx.text(recv)
        yield ctx.report(stmt, f"defer {text}.{ctx.text(method)}() inside a loop runs only when the function "
                               f"returns: {text} stays locked into the next iteration; unlock at the end of "
                               "the iteration, or move the body into a function")
