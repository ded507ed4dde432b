"""a value that contains a lock is copied

## What it does
Finds copies of values whose type contains a `sync.Mutex`, `sync.RWMutex`, `sync.WaitGroup`,
`sync.Once`, `sync.Cond`, `sync.Map`, `sync.Pool` or a `sync/atomic` value type, directly, in a
struct field (embedded too) or in an array: value receivers and value parameters, assignments,
`return`, call arguments, `range` value variables and composite-literal elements. Unlike
`go vet`'s copylocks, a copy out of a pointer a call returned (`v := *s.current()`) is reported
too.

## Why is this bad?
A lock works only through its one memory location. A copy is a second, independent lock:
goroutines locking the copy do not exclude those locking the original, and if the original was
locked at the moment of the copy, the copy starts out locked (and its first `Lock` deadlocks).
A copied `WaitGroup` never sees the `Done` calls made on the original.

## Example
```go
type Counter struct {
	mu sync.Mutex
	n  int
}

func (c Counter) Inc() { // c is a copy: the lock protects nothing
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}
```

## Use instead
```go
func (c *Counter) Inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}
```

## Fix safety
Unsafe. For a value receiver, the fix makes it a pointer receiver (`func (c Counter)` becomes
`func (c *Counter)`). That changes the method set: `Counter` values no longer have the method,
so a `Counter` (not `*Counter`) stored in an interface, or a method call on a value that cannot
be addressed (a map element, a function result), stops compiling; and the method now works on
the caller's value instead of a copy, so its writes to the receiver become visible to the
caller. The fix is offered only when the method uses the receiver just to reach fields and
methods (`c.n`, `c.mu.Lock()`), which read the same through a pointer; a receiver that is
assigned, compared, passed on or returned gets no fix. Other copies get no fix: what to do
instead (a pointer, an index, a fresh value) depends on the code.

## Limitations
Types are read from the source of the package being analysed: a struct declared in another
package (`testing.T`, say) is only known to hold a lock when it is one of the `sync` or
`sync/atomic` types themselves. Copies of fresh values (composite literals, results of calls,
`*new(T)`, and `*NewT()` where every return of this package's `NewT` is `&T{...}` or
`new(T)`) are allowed, as are type parameters and assignments to the blank identifier
(`_ = x`). An expression whose type the source does not state is not reported; in a type switch,
the variable has the case's type only in a clause that lists exactly one type.
"""

from __future__ import annotations

import bisect
import re

from goconc.gomodel import BUILTINS_NEW, FUNC_NODES, T
from goconc.model import Applicability, Edit, Fix, FixAvailability, Severity
from goconc.registry import rule
from goconc.rules._helpers import declared_callee

_WS = re.compile(r"\s+")
_VALUE_NODES = frozenset({"identifier", "selector_expression", "index_expression", "parenthesized_expression"})


def _is_existing_value(ctx, e) -> bool:
    """An expression that denotes an existing variable (not a fresh value)."""
    while e.type == "parenthesized_expression" and e.named_children:
        e = e.named_children[0]
    if e.type in ("identifier", "selector_expression", "index_expression"):
        return True
    if e.type == "unary_expression":
        op = e.child_by_field_name("operator")
        if op is None or ctx.text(op) != "*":
            return False
        inner = e.child_by_field_name("operand")
        while inner is not None and inner.type == "parenthesized_expression" and inner.named_children:
            inner = inner.named_children[0]
        if inner is None:
            return False
        if inner.type == "unary_expression":  # *&T{}: a fresh value
            iop = inner.child_by_field_name("operator")
            return not (iop is not None and ctx.text(iop) == "&")
        if inner.type == "call_expression":  # *new(T): a fresh zero value
            fn = inner.child_by_field_name("function")
            if fn is not None and fn.type == "identifier" and ctx.text(fn) in BUILTINS_NEW \
                    and ctx.pkg.lookup(ctx.file, fn) is None:
                return False
            return not _constructor(ctx, inner)  # *NewT(): a fresh value too
        return True
    return False


def _constructor(ctx, call) -> bool:
    """The call is to a function of this package whose every return is `&T{...}` or `new(T)`:
    it hands out a fresh value that nobody else holds, so copying out of it copies no live lock."""
    fd = declared_callee(ctx, ctx.file, call)
    body = fd.body if fd is not None else None
    if body is None:
        return False
    returns = 0
    stack = [body]
    while stack:
        n = stack.pop()
        if n.type == "func_literal":
            continue
        if n.type == "return_statement":
            values = n.named_children[0].named_children if n.named_children else []
            first = values[0] if values else None
            if first is None or not _fresh(ctx.pkg, fd.file, first):
                return False
            returns += 1
            continue
        stack.extend(n.named_children)
    return returns > 0


def _fresh(pkg, gf, e) -> bool:
    if e.type == "identifier":  # x := &T{...}; ...; return x
        d = pkg.lookup(gf, e)
        return d is not None and d.how == "define" and d.value is not None and d.value.type != "identifier" \
            and _fresh(pkg, gf, d.value)
    if e.type == "unary_expression":
        op = e.child_by_field_name("operator")
        operand = e.child_by_field_name("operand")
        return op is not None and gf.node_text(op) == "&" and operand is not None \
            and operand.type == "composite_literal"
    if e.type == "call_expression":
        fn = e.child_by_field_name("function")
        return fn is not None and fn.type == "identifier" and gf.node_text(fn) in BUILTINS_NEW
    return False


def _pointer_receiver_fix(ctx, param, tn, method, t) -> Fix | None:
    """`func (c T) M()` -> `func (c *T) M()`, when the body only selects through `c`."""
    name = param.child_by_field_name("name")
    body = method.child_by_field_name("body")
    if name is not None and body is not None and ctx.text(name) != "_":
        rname = ctx.text(name)
        stack = [body]
        while stack:
            n = stack.pop()
            if n.type == "identifier" and ctx.text(n) == rname:
                p = n.parent
                if p is None or p.type != "selector_expression" or p.child_by_field_name("operand") != n:
                    return None  # the receiver itself is used as a value
            stack.extend(n.named_children)
    return Fix(f"Use a pointer receiver (*{t})", (Edit(ctx.file.path, tn.start_byte, tn.start_byte, "*"),),
               Applicability.UNSAFE)


def _describe(t: T, lock: str) -> str:
    short = lock.replace("sync/atomic.", "atomic.")
    if str(t) == short:
        return f"{short}"
    return f"{t} contains {short}"


def _lock_of(ctx, e) -> tuple[T, str] | None:
    inner = e
    while inner.type == "parenthesized_expression" and inner.named_children:
        inner = inner.named_children[0]
    if inner.type == "selector_expression":
        fld = inner.child_by_field_name("field")
        if fld is None or ctx.text(fld) not in ctx.pkg.lock_field_names():
            return None  # x.f can only hold a lock if some struct of ours has such a field f
    t = ctx.type_of(e)
    if t is None:
        return None
    lock = ctx.pkg.lock_in(t)
    return (t, lock) if lock else None


def _callee_name(ctx, call) -> str:
    fn = call.child_by_field_name("function")
    if fn is None:
        return "function"
    if fn.type == "func_literal":
        return "func literal"
    return _WS.sub(" ", ctx.text(fn))


def _target(ctx, e) -> str | None:
    """The variable an assigned value goes to ("" when unknown), or None for the blank `_`."""
    vals = e.parent
    stmt = vals.parent if vals is not None else None
    if stmt is None:
        return ""
    left = stmt.child_by_field_name("left")
    if left is not None:
        targets = [c for c in left.named_children if c.type != "comment"] if left.type == "expression_list" else [left]
    else:
        targets = stmt.children_by_field_name("name")
    values = [c for c in vals.named_children if c.type != "comment"]
    if len(targets) != len(values):
        return ""
    t = targets[values.index(e)]
    text = ctx.text(t)
    return None if text == "_" else text


@rule(code="GC3001", name="copied-lock", severity=Severity.ERROR, query="copied_lock.scm",
      fix=FixAvailability.SOMETIMES)
def check(ctx):
    pkg = ctx.pkg
    gf = ctx.file
    words = pkg.lock_words()
    if not words.search(gf.src):
        return  # no lock-holding type, or function, variable or field yielding one, is named here
    decls = gf.root.named_children
    starts = [d.start_byte for d in decls]
    relevant: dict[int, bool] = {}

    def may_copy(node) -> bool:
        """Only declarations that name something lock-holding can copy a lock."""
        i = bisect.bisect_right(starts, node.start_byte) - 1
        if i < 0:
            return False
        got = relevant.get(i)
        if got is None:
            got = relevant[i] = words.search(gf.src, decls[i].start_byte, decls[i].end_byte) is not None
        return got

    caps = {k: [n for n in v if may_copy(n)] for k, v in ctx.captures().items()}

    for p in caps.get("receiver", ()):
        tn = p.child_by_field_name("type")
        if tn is None or tn.type == "pointer_type":
            continue
        method = p.parent.parent if p.parent is not None else None
        t = pkg.resolve_type(tn, gf, pkg.tparams_at(p, gf))
        lock = pkg.lock_in(t)
        if t is None or not lock or method is None:
            continue
        name = method.child_by_field_name("name")
        mname = ctx.text(name) if name is not None else "method"
        yield ctx.report(tn, f"{mname} has a value receiver of type {t}, which contains {lock.replace('sync/atomic.', 'atomic.')}: "
                             f"each call copies the lock; use a pointer receiver (*{t})",
                         fixes=[f for f in [_pointer_receiver_fix(ctx, p, tn, method, t)] if f is not None])

    for p in caps.get("param", ()):
        fn = p.parent.parent if p.parent is not None else None
        if fn is None or fn.type not in FUNC_NODES:
            continue
        tn = p.child_by_field_name("type")
        if tn is None or tn.type == "pointer_type":
            continue
        t = pkg.resolve_type(tn, gf, pkg.tparams_at(p, gf))
        lock = pkg.lock_in(t)
        if t is None or not lock:
            continue
        name = fn.child_by_field_name("name")
        fname = ctx.text(name) if name is not None else "func literal"
        yield ctx.report(tn, f"{fname} passes lock by value: parameter of type {_describe(t, lock)}; pass *{t}")

    for e in caps.get("value", ()):
        if not _is_existing_value(ctx, e):
            continue
        got = _lock_of(ctx, e)
        if got is None:
            continue
        target = _target(ctx, e)
        if target is None:
            continue  # `_ = x` keeps no copy
        yield ctx.report(e, f"assignment copies lock value{' to ' + target if target else ''}: {_describe(*got)}")

    for e in caps.get("return", ()):
        if not _is_existing_value(ctx, e):
            continue
        got = _lock_of(ctx, e)
        if got is not None:
            yield ctx.report(e, f"return copies lock value: {_describe(*got)}")

    for e in caps.get("arg", ()):
        if not _is_existing_value(ctx, e):
            continue
        call = e.parent.parent if e.parent is not None else None
        if call is None:
            continue
        callee = _callee_name(ctx, call)
        if callee in ("new", "len", "cap") or callee.startswith("unsafe."):
            continue
        got = _lock_of(ctx, e)
        if got is not None:
            yield ctx.report(e, f"call of {callee} copies lock value: {ctx.text(e)} is {_describe(*got)}; "
                                f"pass a pointer")

    for v in caps.get("range_value", ()):
        got = _lock_of(ctx, v)
        if got is not None:
            yield ctx.report(v, f"range variable {ctx.text(v)} copies lock value: {_describe(*got)}; "
                                "range over the index, or over pointers")

    for e in caps.get("element", ()):
        if not _is_existing_value(ctx, e):
            continue
        got = _lock_of(ctx, e)
        if got is not None:
            yield ctx.report(e, f"composite literal copies lock value from {ctx.text(e)}: {_describe(*got)}")
