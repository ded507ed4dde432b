"""WaitGroup.Done that an early return of the goroutine skips

## What it does
Finds a goroutine that calls `wg.Done()` without `defer`, where some path through its body ends
the goroutine without reaching that call: an early `return`, a branch of an `if`, `switch` or
`select` without `Done`, a `break` out of the loop that holds the `Done`, a
`t.Fatal`/`runtime.Goexit`, or a `panic` that a deferred `recover` swallows. The goroutine may run
a function literal or a function or method of the package started by name
(`go worker(jobs, &wg)`, `go s.loop()`).

## Why is this bad?
The WaitGroup counter never drops to zero, so `wg.Wait()` blocks forever: the program hangs,
usually only on the error path that tests do not exercise.

## Example
```go
go func() {
	res, err := fetch(u)
	if err != nil {
		return // wg.Done never runs: Wait hangs
	}
	results <- res
	wg.Done()
}()
```

## Use instead
```go
go func() {
	defer wg.Done()
	res, err := fetch(u)
	if err != nil {
		return
	}
	results <- res
}()
```

## Fix safety
The fix deletes the goroutine's `wg.Done()` calls and puts one `defer wg.Done()` at the top
of the goroutine, so that `Done` runs however the goroutine ends. It is offered only when no
path through the goroutine calls `Done` twice, every `Done` is a statement of its own, and the
WaitGroup expression cannot change while the goroutine runs (no assignment to its variable),
and nothing the analysis does not see may call `Done` for the paths that skip it: no fix when
`wg.Done` (or `wg.Add`) is used as a method value in the goroutine or the function that starts
it, when the WaitGroup's address, a pointer to it or a pointer to the value holding it is
passed, stored or returned there (the goroutine's own start, `go worker(&wg)`, aside), when
`wg.Add` is called with a count that is not a positive constant, or when the goroutine calls
a function value of unknown origin (a parameter, a variable not bound to a function literal).

Safe when every `Done` is the last thing the goroutine does (the last statement of its body,
or followed by a bare `return`) and the goroutine defers nothing else: then `Done` runs at the
same moment as before on every path that called it, and now also on the paths that skipped
it (the bug) and when the goroutine panics or calls `runtime.Goexit`.

Unsafe otherwise, because moving `Done` to the end changes when `Wait` returns relative to the
rest of the goroutine: statements written after `Done` now run before `Wait` returns (if one of
them waits for the goroutine that calls `Wait`, such as a send on a channel the waiter reads
only after `Wait`, the fixed program deadlocks), and deferred calls the goroutine registers
now run before `Done` instead of after it.

Both rely on the finding being right: when the parent did not `Add` for the path that skips
`Done` (see Limitations), the fixed goroutine makes the counter negative and panics.

## Limitations
A `Done` that runs once per loop iteration (the loop comes back to it) counts work items, not
the goroutine, and a WaitGroup with such a `Done` is not checked; a `Done` followed by a `return`
or a `break` out of the loop counts the goroutine and is checked. A WaitGroup declared inside
the goroutine is not checked: it cannot count the goroutine.

A path does not count when it may call `Done` some other way: through a closure of the
goroutine that calls it, a function or method of the package that calls `Done` (on any
WaitGroup), a call that is handed the WaitGroup (or the value holding it), or a goroutine it
starts that calls it, a variable holding the method value `wg.Done`, or `wg.Add` with a count
that is not a positive constant. Other calls of function values of unknown origin are assumed
not to call `Done` (such a finding gets no fix).
A panic path counts only when the goroutine defers a call with `recover()` in it (otherwise the
whole program crashes, and the missing `Done` does not matter). Paths through calls that exit
the process (`os.Exit`, `log.Fatal`) are not counted. The receiver must be visibly a
`sync.WaitGroup`, and only goroutines whose function is in the package are checked. An early
return on a condition under which the parent did not call `Add` would be reported; that
correlation is not tracked.
"""

from __future__ import annotations

from goconc.fixes import delete_statement, indent_of, line_end, next_line
from goconc.gomodel import enclosing_function
from goconc.model import Applicability, Edit, Fix, FixAvailability, Related, Severity
from goconc.registry import rule
from goconc.rules._helpers import assigned_names, call_classifier, key_of, statement_call
from goconc.rules.waitgroup._wg import (
    Goroutine,
    calls_in,
    calls_under,
    calls_within,
    callee,
    goroutines_run_in,
    passes,
    root_ident,
    starts_of,
)


@rule(code="GC2002", name="waitgroup-done-not-deferred", severity=Severity.ERROR, fix=FixAvailability.SOMETIMES)
def check(ctx):
    for g in goroutines_run_in(ctx):
        if g.site.kind == "go":
            yield from _check(ctx, g)


def _check(ctx, g: Goroutine):
    dones = list(calls_in(ctx, g, "Done"))
    plain = [d for d in dones if not d.deferred]
    if not plain:
        return
    cfg = ctx.analysis.cfg(g.gf, g.fn)
    if cfg is None:
        return
    deferred_refs = {d.ref for d in dones if d.deferred}
    for ref in sorted({d.ref for d in plain} - deferred_refs):
        calls = [d for d in plain if d.ref == ref]
        if _local_to(g, ref):
            continue  # the goroutine's own WaitGroup cannot be counting it
        blocks = {cfg.block_of(d.call) for d in calls}
        if None in blocks or any(_on_cycle(b) for b in blocks):
            continue  # a Done that runs once per loop iteration counts work items, not the goroutine
        found = _escape(ctx, g, cfg, blocks)
        if found is None:
            continue
        key = calls[0].key
        extra = _indirect_done_blocks(ctx, g, cfg, ref, key)
        if extra:
            found = _escape(ctx, g, cfg, blocks | extra)
            if found is None:
                continue
        where, anchor = found
        related = [ctx.related(anchor, f"the goroutine ends here without {key}.Done()")]
        if g.helper is not None:
            for h in starts_of(ctx, g)[:1]:
                related.append(Related(h.site.file.span(h.site.node), f"{g.helper} is started as a goroutine here"))
        yield ctx.report(
            calls[0].call,
            f"{key}.Done() is not deferred, and a path that {where} skips it: {key}.Wait() "
            f"will block forever; use defer {key}.Done() at the top of the goroutine",
            related=related,
            fixes=[f for f in [_fix(ctx, g, cfg, calls, key)] if f is not None],
        )


def _next_statement(stmt):
    n = stmt.next_named_sibling
    while n is not None and n.type == "comment":
        n = n.next_named_sibling
    return n


def _last_thing(stmt, body) -> bool:
    """Nothing runs after `stmt` but the goroutine's end: a bare `return` follows it, or it is
    the last statement of the body."""
    nxt = _next_statement(stmt)
    if nxt is not None:
        return nxt.type == "return_statement" and not nxt.named_children
    block = stmt.parent.parent if stmt.parent is not None and stmt.parent.type == "statement_list" else stmt.parent
    return block == body


def _reassigned(gf, scope, name: str, decl_start: int) -> bool:
    """Some statement in `scope` (nested functions included) assigns `name`, other than the
    declaration at `decl_start`."""
    stack = [scope]
    while stack:
        n = stack.pop()
        if name in assigned_names(gf, n) and not (n.start_byte <= decl_start < n.end_byte):
            return True
        stack.extend(n.named_children)
    return False


def _fix(ctx, g: Goroutine, cfg, calls, key: str) -> Fix | None:
    from goconc.cfg import find_path
    from goconc.gomodel import top_function

    gf = g.gf
    if gf is not ctx.file:
        return None
    src = gf.src
    body = g.fn.child_by_field_name("body")
    if body is None or body.type != "block":
        return None
    stmts = []
    for c in calls:
        s = c.call.parent
        if s is None or s.type != "expression_statement" or enclosing_function(c.call) != g.fn:
            return None
        stmts.append(s)
    blocks = [cfg.block_of(c.call) for c in calls]
    if len(set(blocks)) != len(blocks):
        return None  # two Dones in a row
    if any(a is not b and find_path(cfg, a, b) for a in blocks for b in blocks):
        return None  # a path that calls Done twice: one deferred Done would change the count
    root = root_ident(calls[0].recv)
    if root is None:
        return None
    decl = ctx.pkg.lookup(gf, root)
    name = gf.node_text(root)
    decl_start = decl.node.start_byte if decl is not None else -1
    scope = g.fn if decl is None or g.fn.start_byte <= decl_start < g.fn.end_byte else (top_function(g.fn) or g.fn)
    if _reassigned(gf, scope, name, decl_start):
        return None  # `defer wg.Done()` at the top would take the WaitGroup the variable holds then
    if _count_escapes(ctx, g, key):
        return None  # something else may call Done for the paths that skip it
    open_end = body.start_byte + 1
    if src[open_end:line_end(src, open_end)].strip():
        return None  # `func() { ...` on one line
    at = next_line(src, open_end)
    recv = calls[0].recv
    written = src[recv.start_byte:recv.end_byte].decode("utf-8")
    if "\n" in written:
        return None
    edits = [Edit(gf.path, at, at, indent_of(src, body.start_byte) + f"\tdefer {written}.Done()\n")]
    for s in stmts:
        e = delete_statement(gf.path, src, s.start_byte, s.end_byte)
        if e is None or e.start <= at:
            return None
        edits.append(e)
    safe = all(_last_thing(s, body) for s in stmts) and not cfg.defers
    return Fix(f"Defer {key}.Done() at the top of the goroutine", tuple(edits),
               Applicability.SAFE if safe else Applicability.UNSAFE)


def _local_to(g: Goroutine, ref) -> bool:
    fn = g.fn
    if not (fn.start_byte <= ref[1] < fn.end_byte):
        return False
    params = fn.child_by_field_name("parameters")
    recv = fn.child_by_field_name("receiver")
    return not any(p is not None and p.start_byte <= ref[1] < p.end_byte for p in (params, recv))


def _on_cycle(b) -> bool:
    seen = set()
    stack = list(b.succs)
    while stack:
        x = stack.pop()
        if x is b:
            return True
        if x in seen:
            continue
        seen.add(x)
        stack.extend(x.succs)
    return False


def _escape(ctx, g: Goroutine, cfg, done_blocks):
    """A way out of the goroutine that avoids every block in done_blocks, as (description of
    where it leaves, node to point at), or None."""
    from goconc.cfg import find_path

    def through(b) -> bool:
        return b not in done_blocks

    path = find_path(cfg, cfg.entry, cfg.exit, through=through)
    if path is not None and len(path) >= 2:
        last = path[-2]
        end = last.nodes[-1] if last.nodes else None
        if end is not None and end.type == "return_statement":
            return f"returns at line {end.start_point[0] + 1}", end
        body = g.fn.child_by_field_name("body")
        close = body.children[-1] if body is not None and body.children else g.fn
        return "reaches the end of the goroutine", close  # Done only in some branches
    classify = call_classifier(ctx.pkg, g.gf)
    recovered = any("recover()" in g.gf.node_text(d) for d in cfg.defers)
    for p in sorted(cfg.panic_exit.preds, key=lambda b: b.index):
        if p in done_blocks or not p.nodes:
            continue
        end = p.nodes[-1]
        call = statement_call(end)
        kind = classify(call) if call is not None else None
        if kind == "panic" and not recovered:
            continue  # the whole program crashes: the missing Done does not matter
        if kind not in ("panic", "goexit"):
            continue
        if p is not cfg.entry and find_path(cfg, cfg.entry, p, through=through) is None:
            continue
        line = end.start_point[0] + 1
        if kind == "panic":
            return f"panics at line {line} (recovered by the deferred recover)", end
        fn = call.child_by_field_name("function")
        return f"calls {g.gf.node_text(fn)} at line {line}", end
    return None


def _indirect_done_blocks(ctx, g: Goroutine, cfg, ref, key: str) -> set:
    """Blocks whose statements may call Done some other way: through a closure, a function of
    the package that calls Done, or a call that is handed the WaitGroup."""
    gf, pkg = g.gf, ctx.pkg
    out = set()
    for b in cfg.blocks:
        for node in b.nodes:
            if _may_done(ctx, gf, pkg, g, node, ref, key):
                out.add(b)
                break
    return out


def _may_done(ctx, gf, pkg, g, node, ref, key) -> bool:
    for c in calls_within(ctx, gf, node, "Done"):
        if c.ref == ref and c.owner != g.fn and not _is_definition(c.owner):
            return True  # e.g. go func() { defer wg.Done() ... }() on that path
    for c in calls_within(ctx, gf, node, "Add"):
        if c.ref == ref and not _positive_add(gf, c.call):
            return True  # wg.Add(-1) is a Done
    for call in calls_under(node):
        if passes(gf, call, key):
            return True
        fn = call.child_by_field_name("function")
        if fn is None:
            continue
        if fn.type == "identifier":
            decl = pkg.lookup(gf, fn)
            if decl is not None:
                v = decl.value
                if v is not None and v.type == "func_literal" and any(calls_within(ctx, gf, v, "Done")):
                    return True
                if v is not None and _done_value(ctx, gf, v):
                    return True  # done := wg.Done; ...; done()
                continue
        fd = callee(ctx, gf, call)
        if fd is not None and any(calls_within(ctx, fd.file, fd.node, "Done")):
            return True
    return False


def _done_value(ctx, gf, expr) -> bool:
    """`wg.Done` (or `wg.Add`) written as a method value of a WaitGroup."""
    if expr is None or expr.type != "selector_expression":
        return False
    fld = expr.child_by_field_name("field")
    operand = expr.child_by_field_name("operand")
    return fld is not None and operand is not None and gf.node_text(fld) in ("Done", "Add") \
        and ctx.pkg.is_waitgroup(ctx.pkg.type_of(gf, operand), gf.node_text(fld))


def _positive_add(gf, call) -> bool:
    args = call.child_by_field_name("arguments")
    argv = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    if len(argv) != 1 or argv[0].type != "int_literal":
        return False
    try:
        return int(gf.node_text(argv[0]).replace("_", ""), 0) > 0
    except ValueError:
        return False


def _count_escapes(ctx, g: Goroutine, key: str) -> bool:
    """The WaitGroup may be counted down by something the analysis does not see, so the
    paths that skip the goroutine's Done may not be the bug the finding says they are: `Done`
    or `Add` used as a method value, the WaitGroup's address (or a pointer to it, or the value
    holding it) passed, stored or returned (the goroutine's own start, `go worker(&wg)`,
    aside), an `Add` with a count that is not a positive constant, or a call of a function
    value of unknown origin in the goroutine. Looks at the goroutine's function and the
    function that starts it."""
    from goconc.gomodel import top_function
    from goconc.rules.mutex._lockflow import _value_use

    pkg = ctx.pkg
    root = key.split(".", 1)[0].split("[", 1)[0]
    scopes = [(g.gf, g.fn, top_function(g.fn) or g.fn)]
    site_top = top_function(g.site.node)
    if site_top is not None:
        scopes.append((g.site.file, site_top, site_top))
    start_args = g.site.call.child_by_field_name("arguments") if g.site.call is not None else None
    for gf, fn, top in scopes:
        stack = [top]
        while stack:
            n = stack.pop()
            stack.extend(n.named_children)
            t = n.type
            if t == "selector_expression":
                p = n.parent
                called = p is not None and p.type == "call_expression" and p.child_by_field_name("function") == n
                if not called and _done_value(ctx, gf, n):
                    return True
                if called and _done_value(ctx, gf, n) and gf.node_text(n.child_by_field_name("field")) == "Add" \
                        and not _positive_add(gf, p) and key_of(gf, n.child_by_field_name("operand")) == key:
                    return True
            if t in ("identifier", "selector_expression", "index_expression"):
                if start_args is not None and gf is g.site.file \
                        and start_args.start_byte <= n.start_byte < start_args.end_byte:
                    continue
                use = _value_use(n)
                if use is None:
                    continue
                k = key_of(gf, n)
                if k is None or (k != key and k != root):
                    continue
                rt = pkg.type_of(gf, n)
                by_ref = use[1] or (rt is not None and rt.kind == "pointer")
                if by_ref and (k == root or pkg.is_waitgroup(rt)):
                    return True  # &wg, a *sync.WaitGroup, or a pointer to what holds it, passed on
            if t == "call_expression" and fn is g.fn and g.fn.start_byte <= n.start_byte < g.fn.end_byte:
                f = n.child_by_field_name("function")
                if f is not None and f.type == "identifier":
                    decl = pkg.lookup(gf, f)
                    v = decl.value if decl is not None else None
                    if decl is not None and (v is None or v.type != "func_literal"):
                        return True  # a function value the analysis cannot follow
    return False


def _is_definition(lit) -> bool:
    """A function literal that is only stored (`finish := func() { wg.Done() }`), not run here."""
    if lit is None or lit.type != "func_literal":
        return False
    p = lit.parent
    if p is not None and p.type == "expression_list":
        p = p.parent
    return p is not None and p.type in ("short_var_declaration", "assignment_statement", "var_spec")
