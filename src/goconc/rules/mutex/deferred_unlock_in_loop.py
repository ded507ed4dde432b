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

## Fix safety
Unsafe: the fix moves the whole loop body into a function literal that is called at once
(`func() { ... }()`), so the deferred `Unlock` runs at the end of each iteration. Every other
`defer` in the body then also runs at the end of its iteration instead of when the function
returns, and code after the loop no longer runs with the lock held. The fix is offered only
when the body takes the lock itself (a `Lock`/`RLock` of the same receiver before the `defer`)
and has nothing whose meaning would change inside a function literal: no `return`, no `goto`,
no label, no `break` or `continue` that leaves the body (those inside a nested loop, `switch`
or `select` that they belong to are fine). Otherwise no fix is offered.

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

import re

from goconc.fixes import indent_of, line_end, line_start, next_line
from goconc.gomodel import FUNC_NODES, enclosing_function
from goconc.model import Applicability, Edit, Fix, FixAvailability, Severity
from goconc.registry import rule
from goconc.rules._helpers import assigned_names, loop_ancestor, method_call, root_names, statement_call

_WS = re.compile(r"\s+")
_BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement",
                        "select_statement"})


def _leaves_body(body) -> bool:
    """Something in the loop body whose meaning changes inside a function literal: return,
    goto, labels, or a break/continue that targets the loop itself (or a label)."""
    stack = [(c, False, False) for c in body.named_children]
    while stack:
        n, in_breakable, in_loop = stack.pop()
        t = n.type
        if t in FUNC_NODES:
            continue
        if t in ("return_statement", "goto_statement", "labeled_statement"):
            return True
        if t == "break_statement" and (n.named_children or not in_breakable):
            return True
        if t == "continue_statement" and (n.named_children or not in_loop):
            return True
        b, lp = in_breakable or t in _BREAKABLE, in_loop or t == "for_statement"
        stack.extend((c, b, lp) for c in n.named_children)
    return False


def _locks_in_body(ctx, body, stmt, recv_text: str, method: str) -> bool:
    """The loop body takes the lock (same receiver, matching mode) before the defer."""
    want = "RLock" if method == "RUnlock" else "Lock"
    stack = list(body.named_children)
    while stack:
        n = stack.pop()
        if n.type in FUNC_NODES or n.start_byte >= stmt.start_byte:
            continue
        if n.type == "expression_statement":
            mc = method_call(ctx.file, statement_call(n))
            if mc is not None and mc.method == want and not mc.args and _WS.sub("", ctx.text(mc.recv)) == recv_text:
                return True
        stack.extend(n.named_children)
    return False


def _raw_string_lines(node) -> list[tuple[int, int]]:
    """Byte ranges of multi-line raw strings inside `node`: their lines must not be re-indented."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "raw_string_literal":
            if n.start_point[0] != n.end_point[0]:
                out.append((n.start_byte, n.end_byte))
            continue
        stack.extend(n.children)
    return out


def _fix(ctx, loop, stmt, recv, method) -> Fix | None:
    body = loop.child_by_field_name("body")
    if body is None or body.type != "block" or _leaves_body(body):
        return None
    if not _locks_in_body(ctx, body, stmt, _WS.sub("", ctx.text(recv)), method):
        return None
    src = ctx.file.src
    open_end = body.start_byte + 1
    close = body.end_byte - 1
    if src[open_end:line_end(src, open_end)].strip() or src[line_start(src, close):close].strip():
        return None  # `{` and `}` must end and start their lines
    first = next_line(src, open_end)
    last = line_start(src, close)
    if first >= last:
        return None
    raw = _raw_string_lines(body)
    indent = indent_of(src, close)
    lines = []
    pos = first
    for ln in src[first:last].splitlines(keepends=True):
        inside_raw = any(s < pos < e for s, e in raw)
        lines.append(ln if inside_raw or not ln.strip() else b"\t" + ln)
        pos += len(ln)
    new = (indent + "\tfunc() {\n" + b"".join(lines).decode("utf-8") + indent + "\t}()\n")
    return Fix("Move the loop body into a function literal, so that the defer runs each iteration",
               (Edit(ctx.file.path, first, last, new),), Applicability.UNSAFE)


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


@rule(code="GC3007", name="deferred-unlock-in-loop", severity=Severity.ERROR, query="deferred_unlock_in_loop.scm",
      fix=FixAvailability.SOMETIMES)
def check(ctx):
    if b"Unlock()" not in ctx.file.src:
        return
    from goconc.cfg import find_path

    for stmt, recv, method in _deferred_unlocks(ctx.captures()):
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
                               "the iteration, or move the body into a function",
                               fixes=[f for f in [_fix(ctx, loop, stmt, recv, ctx.text(method))] if f is not None])


def _deferred_unlocks(caps):
    """(defer statement, lock operand, Unlock/RUnlock name) of each deferred unlock the query
    found, directly or in a deferred literal."""
    reports = {n.id: n for n in caps.get("report", ())}
    out = []
    for method in caps.get("method", ()):
        sel = method.parent
        stmt = sel.parent
        while stmt is not None and stmt.id not in reports:
            stmt = stmt.parent
        if stmt is not None:
            out.append((stmt, sel.child_by_field_name("operand"), method))
    return sorted(out, key=lambda t: (t[0].start_byte, t[2].start_byte))
