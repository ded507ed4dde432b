"""WaitGroup.Wait inside the loop that starts the goroutines

## What it does
Finds `wg.Wait()` in the body of the same loop that starts goroutines counted by `wg`
(`go func() { defer wg.Done() ... }()` or `wg.Go(...)` in that loop).

## Why is this bad?
Each iteration waits for the goroutine it has just started, so the goroutines run one at a
time and the loop is as slow as a plain sequential loop, while still paying for goroutines. If
a goroutine waits for something a later iteration provides (a channel send, another result),
the loop deadlocks.

## Example
```go
for _, f := range files {
	wg.Add(1)
	go func() {
		defer wg.Done()
		process(f)
	}()
	wg.Wait()
}
```

## Use instead
```go
for _, f := range files {
	wg.Add(1)
	go func() {
		defer wg.Done()
		process(f)
	}()
}
wg.Wait()
```

## Limitations
Off by default (severity info): running one round of goroutines per iteration and waiting for
it is sometimes exactly what a test or benchmark wants. Only a `Wait` that is a statement of the
loop body itself is reported (not one under an `if`), and not when the WaitGroup is declared
inside the loop. The goroutine must be started directly in that loop's body (batches started
in an inner loop and awaited in the outer one are the intended pattern and are not reported),
by a `go` statement whose function (a literal, or a function or method of the package) calls
`Done` on that WaitGroup, or by `wg.Go`; a WaitGroup passed as an argument of the `go` call is
matched to that argument. The receiver must be visibly a `sync.WaitGroup`; errgroup is not
checked.
"""

from __future__ import annotations

from goconc.gomodel import enclosing_function
from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import loop_ancestor
from goconc.rules.waitgroup._wg import Ref, calls_in, goroutines_started_in, outer_ref, ref_of, wg_calls


def _receiver_decl(ctx, call):
    """The local declaration of the variable at the root of `x.wg.Wait()`'s receiver."""
    fn = call.child_by_field_name("function")
    node = fn.child_by_field_name("operand") if fn is not None else None
    while node is not None and node.type != "identifier":
        kids = node.named_children
        node = kids[0] if kids else None
    return ctx.pkg.lookup(ctx.file, node) if node is not None else None


def _directly_in(call, loop) -> bool:
    """The call is a statement of the loop body itself, not nested in an if/switch/select."""
    stmt = call.parent
    if stmt is None or stmt.type != "expression_statement":
        return False
    parent = stmt.parent
    if parent is not None and parent.type == "statement_list":
        parent = parent.parent
    return parent is not None and parent.type == "block" and parent.parent == loop


@rule(code="GC2004", name="waitgroup-wait-in-loop", severity=Severity.INFO)
def check(ctx):
    counted: dict[tuple[int, Ref], object] = {}  # (loop id, WaitGroup) -> go site
    for g in goroutines_started_in(ctx):
        site = g.site
        fn = enclosing_function(site.node)
        loop = loop_ancestor(site.node, fn)
        if loop is None:
            continue
        if site.kind == "waitgroup" and site.receiver is not None:
            refs = {ref_of(ctx, ctx.file, site.receiver)}
        elif site.kind == "go":
            refs = {outer_ref(ctx, g, d) for d in calls_in(ctx, g, "Done")}
        else:
            continue
        for r in refs - {None}:
            counted.setdefault((loop.id, r), site)
    if not counted:
        return
    for c in wg_calls(ctx):
        if c.method != "Wait" or c.deferred:
            continue
        loop = loop_ancestor(c.call, c.owner)
        if loop is None or not _directly_in(c.call, loop):
            continue  # e.g. `if sequential { wg.Wait() }`: a deliberate choice
        site = counted.get((loop.id, c.ref))
        if site is None:
            continue
        decl = _receiver_decl(ctx, c.call)
        if decl is not None and loop.start_byte <= decl.node.start_byte < loop.end_byte:
            continue  # a WaitGroup per iteration: waiting for each round is the point
        yield ctx.report(
            c.call,
            f"{c.key}.Wait() inside the loop that starts the goroutines it waits for: they run one at a "
            "time; call Wait after the loop",
            related=[ctx.related(site.node, "goroutine started in the same loop")],
        )
