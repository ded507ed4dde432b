"""WaitGroup.Add called inside the goroutine it counts

## What it does
Finds `wg.Add(n)` inside a goroutine that also calls `wg.Done()` after it (or defers it): the
goroutine counts itself. The `Add` may sit anywhere in the body, not only in the first
statement (the only place `go vet`'s waitgroup check and staticcheck's SA2000 look). The
goroutine may run a function literal or a function or method of the package started by name
(`go worker(u, &wg)`, `go s.loop()`); the WaitGroup may be a variable, a parameter, a field, an
embedded field (`p.Add(1)`) or an alias of `sync.WaitGroup`, with any import name for `sync`.

## Why is this bad?
`wg.Add` runs only when the new goroutine gets scheduled, which may be after the parent has
already called `wg.Wait()`. `Wait` then sees a zero counter and returns while the goroutine is
still running: results are read before they are written, and the program may exit under it.
The race detector usually stays silent, because the WaitGroup itself is synchronised.

## Example
```go
for _, u := range urls {
	go func() {
		wg.Add(1)
		defer wg.Done()
		fetch(u)
	}()
}
wg.Wait()
```

## Use instead
```go
for _, u := range urls {
	wg.Add(1)
	go func() {
		defer wg.Done()
		fetch(u)
	}()
}
wg.Wait()
```

## Limitations
Not reported when the starting function already called `Add` on the same WaitGroup before the
`go` statement (the goroutine is then counted while it runs, and the inner `Add` counts
something else; a WaitGroup passed as an argument of the `go` call is matched to that
argument), when the `Add` is followed in the goroutine by a `go` statement, by a call that is
handed the WaitGroup (or the value holding it) or by a call of a package function that starts
goroutines (it counts a child), when the `Add` or the `Done` sits in a loop of the goroutine
(they count work items), or when the argument is negative (`wg.Add(-1)` is a `Done`).

A goroutine that never calls `Done` itself but counts children it starts is not reported, though
`Wait` may return before its `Add` runs (go vet reports that case when the `Add` is the first
statement). Goroutines that run a function value (`go work()` with `work := func() {...}`) or a
function of another package are not followed, and the receiver must be visibly a
`sync.WaitGroup`.
"""

from __future__ import annotations

import re

from goconc.model import Related, Severity
from goconc.registry import rule
from goconc.rules.waitgroup._wg import (
    calls_in,
    calls_under,
    callee,
    goroutines_run_in,
    in_loop,
    outer_ref,
    passes,
    starts_of,
    wg_calls,
)

_GO_STMT = re.compile(rb"(?m)^\s*go\s|\.Go\(")


@rule(code="GC2001", name="waitgroup-add-in-goroutine", severity=Severity.ERROR)
def check(ctx):
    for g in goroutines_run_in(ctx):
        if g.site.kind != "go":
            continue
        fn = g.fn
        dones = [c for c in calls_in(ctx, g, "Done") if not in_loop(c, fn)]
        if not dones:
            continue
        for add in calls_in(ctx, g, "Add"):
            if add.deferred or in_loop(add, fn) or _negative(ctx, add):
                continue
            # The goroutine counts itself: a Done on the same WaitGroup that runs after this Add.
            if not any(d.ref == add.ref and (d.deferred or d.call.start_byte > add.call.end_byte) for d in dones):
                continue
            if _counts_a_child(ctx, g, add):
                continue  # an Add for a goroutine this one starts: the parent's count covers it
            starts = starts_of(ctx, g)
            if not starts or any(_counted_before(ctx, h, add) for h in starts):
                continue
            site = starts[0].site
            yield ctx.report(
                add.call,
                f"{add.key}.Add called inside the goroutine it counts: it can run after {add.key}.Wait() "
                f"has returned; call {add.key}.Add before the go statement",
                related=[Related(site.file.span(site.node), "goroutine started here")],
            )


def _negative(ctx, add) -> bool:
    """`wg.Add(-1)`: a Done in disguise."""
    args = add.call.child_by_field_name("arguments")
    return args is not None and any(ctx.file.node_text(a).lstrip().startswith("-") for a in args.named_children)


def _counts_a_child(ctx, g, add) -> bool:
    """After the Add, the goroutine starts another one, or hands the WaitGroup (or its owner) to
    a call, or calls a function of the package that starts goroutines."""
    gf, fn = g.gf, g.fn
    after = add.call.end_byte
    for s in ctx.pkg.go_sites(gf, fn):
        if s.node.start_byte > after:
            return True
    for call in calls_under(fn):
        if call.start_byte <= after:
            continue
        if passes(gf, call, add.key):
            return True
        fd = callee(ctx, gf, call)
        if fd is not None and fd.body is not None and _GO_STMT.search(fd.file.text, fd.body.start_byte,
                                                                      fd.body.end_byte):
            return True
    return False


def _counted_before(ctx, h, add) -> bool:
    """The starting function already called Add on this WaitGroup before the go statement (the
    Add inside then counts something else); True as well when that cannot be told."""
    ref = outer_ref(ctx, h, add)
    if ref is None:
        return True
    at = h.site.node.start_byte
    return any(c.method == "Add" and c.ref == ref and c.call.start_byte < at for c in wg_calls(ctx, h.site.file))
