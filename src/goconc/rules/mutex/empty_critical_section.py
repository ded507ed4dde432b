"""a Lock immediately followed by its Unlock

## What it does
Finds `mu.Lock()` directly followed by `mu.Unlock()` (or `RLock` by `RUnlock`): a critical
section that protects nothing.

## Why is this bad?
Usually the code that was meant to run under the lock was moved or deleted, leaving shared
state unprotected. When the empty section is deliberate (to wait until a current holder is
done), it is an obscure way to synchronise that readers will misread.

## Example
```go
s.mu.Lock()
s.mu.Unlock()
s.count++
```

## Use instead
```go
s.mu.Lock()
s.count++
s.mu.Unlock()
```

## Limitations
Only adjacent statements with the same receiver text. A comment on a line of its own between
the two calls, or just above the `Lock` (at most a few lines up, also at the start of the
enclosing block), marks the section as deliberate (a barrier that waits for the current holder)
and silences the rule; a comment trailing the `Lock` on its line does not. Test files are not
checked: tests lock and unlock to create contention. The receiver must be visibly a
`sync.Mutex`, `sync.RWMutex` or `sync.Locker`.
"""

from __future__ import annotations

import re

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import method_call, statement_call

_WS = re.compile(r"\s+")


def _commented(ctx, stmt) -> bool:
    """A comment just above the Lock (within 4 lines) explains a deliberate barrier."""
    prev = stmt
    for _ in range(3):
        nxt = prev.prev_named_sibling
        if nxt is None and prev.parent is not None and prev.parent.type == "statement_list":
            nxt = prev.parent.prev_named_sibling  # comments opening a block sit before its statement list
        prev = nxt
        if prev is None or prev.end_point[0] < stmt.start_point[0] - 4:
            return False
        if prev.type == "comment":
            return True
    return False


def _next_statement(stmt):
    """The statement after `stmt`, skipping a comment that trails it on its line; None when a
    comment on a line of its own comes between (it explains an intended empty section)."""
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        if nxt.start_point[0] != stmt.end_point[0]:
            return None
        nxt = nxt.next_named_sibling
    return nxt


@rule(code="GC3005", name="empty-critical-section", severity=Severity.WARNING, query="empty_critical_section.scm")
def check(ctx):
    if b"Lock()" not in ctx.file.src:
        return
    if ctx.file.is_test:
        return  # tests lock and unlock to generate contention or wait for a holder
    for stmt in ctx.captures().get("report", ()):
        first = method_call(ctx.file, statement_call(stmt))
        r1, m1 = first.recv, first.method
        end = _next_statement(stmt)
        call = method_call(ctx.file, statement_call(end)) if end is not None and end.type == "expression_statement" else None
        if call is None or call.args or (m1, call.method) not in (("Lock", "Unlock"), ("RLock", "RUnlock")):
            continue
        if _WS.sub("", ctx.text(r1)) != _WS.sub("", ctx.text(call.recv)):
            continue
        if _commented(ctx, stmt):
            continue
        if ctx.pkg.lock_kind(ctx.type_of(r1)) is None:
            continue
        recv = ctx.text(r1)
        yield ctx.report(stmt, f"empty critical section: {recv}.{m1}() is immediately followed by "
                               f"{recv}.{call.method}(); move the code that needs the lock between them", end=end)
