"""a cancel function stored in a field that nothing calls

## What it does
Finds the cancel function of `context.WithCancel`, `WithTimeout` or `WithDeadline` (and their
`...Cause` forms) stored in a struct field (`s.cancel = cancel`, `&conn{cancel: cancel}`, or
assigned to the field directly) when nothing in the package ever calls that field or hands it
on: no `s.cancel()`, no `defer c.cancel()`, no `f := s.cancel`.

## Why is this bad?
The context lives until its parent is cancelled: its goroutines that wait on `ctx.Done()` never
stop, a `WithTimeout` context keeps its timer until it fires, and the child stays registered in
its parent. Storing the cancel function for later is the right design only when a `Close` or
`Stop` calls it; when that call was never written (or was removed), every object leaks its
context. go vet's lostcancel checks only cancel functions kept in local variables.

## Example
```go
type Conn struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func Dial(parent context.Context) *Conn {
	ctx, cancel := context.WithCancel(parent)
	c := &Conn{ctx: ctx, cancel: cancel}
	go c.readLoop() // waits on c.ctx.Done(): never stops
	return c
}

func (c *Conn) Close() error { return nil }
```

## Use instead
```go
func (c *Conn) Close() error {
	c.cancel()
	return nil
}
```

## Limitations
The field is known by its name: any call or use of a field of that name anywhere in the
package (tests included), or of the local variable the cancel function was first put in,
counts as a call (comments do not). Cancel functions returned, passed to a function, or stored in a map or slice
are not followed.
"""

from __future__ import annotations

import re

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import imported_calls, strip_comments

_WITH = re.compile(r"^With(Cancel|Timeout|Deadline)(Cause)?$")


@rule(code="GC5001", name="lost-cancel-field", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b"context." not in gf.src or b"With" not in gf.src:
        return
    pkg = ctx.pkg
    for call, with_ in imported_calls(pkg, gf, "context", _WITH):
        target = _cancel_target(gf, call)
        if target is None:
            continue
        store = _field_store(ctx, target)
        if store is None:
            continue
        field, node = store
        if _used_anywhere(pkg, field):
            continue
        yield ctx.report(
            node,
            f"the cancel function of this {with_} is stored in the field {field} and nothing in "
            f"the package ever calls it: the context, its goroutines waiting on Done and its timer live until "
            f"the parent is cancelled; call it from Close or Stop (or defer it where the work ends)",
            related=[ctx.related(call, f"context.{with_} here")],
        )


def _cancel_target(gf, call):
    """The second target of `ctx, cancel := context.WithX(...)` (an identifier or a field)."""
    p = call.parent
    if p is None or p.type != "expression_list" or len([c for c in p.named_children if c.type != "comment"]) != 1:
        return None
    q = p.parent
    if q is None or q.type not in ("short_var_declaration", "assignment_statement") or q.child_by_field_name("right") != p:
        return None
    left = [c for c in q.child_by_field_name("left").named_children if c.type != "comment"]
    return left[1] if len(left) == 2 else None


def _field_store(ctx, target):
    """(field name, node) when the cancel function ends up in a struct field: assigned to it
    directly, or the local it was put in is used only to store it in one."""
    gf, pkg = ctx.file, ctx.pkg
    if target.type == "selector_expression":
        return gf.node_text(target.child_by_field_name("field")), target
    if target.type != "identifier" or gf.node_text(target) == "_":
        return None
    decl = pkg.lookup(gf, target)
    if decl is None or decl.func is None:
        return None
    from goconc.rules.goroutine._chan import uses_of

    found = None
    for u in uses_of(gf, pkg, decl.func.child_by_field_name("body"), decl.node):
        p = u.parent
        value = u
        if p is not None and p.type == "literal_element":
            value, p = p, p.parent
        if p is not None and p.type == "keyed_element":
            key = p.named_children[0] if p.named_children else None
            if key == value:
                continue  # `cancel: ...`: the field's name, not the variable
            if key is not None and p.named_children[-1] == value:
                name = gf.node_text(key).strip()
                if found is not None:
                    return None
                found = (name, key)
                continue
        if p is not None and p.type == "expression_list" and p.parent is not None \
                and p.parent.type == "assignment_statement" and p.parent.child_by_field_name("right") == p:
            left = [c for c in p.parent.child_by_field_name("left").named_children if c.type != "comment"]
            right = [c for c in p.named_children if c.type != "comment"]
            if len(left) == len(right) and left[right.index(u)].type == "selector_expression":
                sel = left[right.index(u)]
                if found is not None:
                    return None
                found = (gf.node_text(sel.child_by_field_name("field")), sel)
                continue
        return None  # called, deferred, passed, returned: used
    return found


def _used_anywhere(pkg, field: str) -> bool:
    """Some file of the package uses a field of that name other than by assigning it."""
    pat = re.compile(rb"\.%s\b(?!\s*=[^=])|\b%s\s*:" % (re.escape(field.encode()), re.escape(field.encode())))
    for gf in pkg.files:
        for m in pat.finditer(strip_comments(gf.src)):
            if not m.group(0).endswith(b":"):  # a composite literal key is a store
                return True
    return False
