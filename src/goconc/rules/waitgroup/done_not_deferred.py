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

## Limitations
A `Done` that runs once per loop iteration (the loop comes back to it) counts work items, not
the goroutine, and a WaitGroup with such a `Done` is not checked; a `Done` followed by a `return`
or a `break` out of the loop counts the goroutine and is checked. A WaitGroup declared inside
the goroutine is not checked: it cannot count the goroutine.

A path does not count when it may call `Done` some other way: through a closure of the
goroutine that calls it, a function or method of the package that calls `Done` (on any
WaitGroup), a call that is handed the WaitGroup (or the value holding it), or a goroutine it
starts that calls it. Calls of function values of unknown origin are assumed not to call `Done`.
A panic path counts only when the goroutine defers a call with `recover()` in it (otherwise the
whole program crashes, and the missing `Done` does not matter). Paths through calls that exit
the process (`os.Exit`, `log.Fatal`) are not counted. The receiver must be visibly a
`sync.WaitGroup`, and only goroutines whose function is in the package are checked. An early
return on a condition under which the parent did not call `Add` would be reported; that
correlation is not tracked.
"""

from __future__ import annotations

from goconc.model import Related, Severity
from goconc.registry import rule
from goconc.rules._helpers import call_classifier, statement_call
from goconc.rules.waitgroup._wg import (
    Goroutine,
    calls_in,
    calls_under,
    calls_within,
    callee,
    goroutines_run_in,
    passes,
    starts_of,
)


@rule(code="GC2002", name="waitgroup-done-not-deferred", severity=Severity.ERROR)
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
        )


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
                continue
        fd = callee(ctx, gf, call)
        if fd is not None and any(calls_within(ctx, fd.file, fd.node, "Done")):
            return True
    return False


def _is_definition(lit) -> bool:
    """A function literal that is only stored (`finish := func() { wg.Done() }`), not run here."""
    if lit is None or lit.type != "func_literal":
        return False
    p = lit.parent
    if p is not None and p.type == "expression_list":
        p = p.parent
    return p is not None and p.type in ("short_var_declaration", "assignment_statement", "var_spec")
