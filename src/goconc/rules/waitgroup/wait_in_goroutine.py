"""WaitGroup.Wait inside a goroutine the same WaitGroup counts

## What it does
Finds `wg.Wait()` inside a goroutine that `wg` counts: one that calls `wg.Done()` after the
`Wait` (or defers it), or a function run by `wg.Go` (Go 1.25). The goroutine may run a function
literal or a function or method of the package started by name (`go closer(&wg, out)`).

## Why is this bad?
`Wait` returns only when every counted goroutine has called `Done`, and this goroutine calls
`Done` only after `Wait` returns. It blocks forever, and so does every other `Wait` on the group.

## Example
```go
wg.Add(1)
go func() {
	defer wg.Done()
	work()
	wg.Wait() // waits for itself
	close(results)
}()
```

## Use instead
```go
wg.Add(1)
go func() {
	defer wg.Done()
	work()
}()
go func() {
	wg.Wait()
	close(results)
}()
```

## Limitations
The receiver must be visibly a `sync.WaitGroup`, and `Wait` and `Done` must name the same
variable (a WaitGroup of the goroutine's own that shadows the outer name is another one). Not
reported when the goroutine calls `Add` on it again after the `Wait` (the later `Done` then
balances that `Add`), or when the `Done` sits in a loop (it counts work items). A deferred `Wait`
is reported when a `Done` was deferred before it (deferred calls run last first). errgroup's
`Wait` inside a function run by the same group is not checked.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules.waitgroup._wg import calls_in, goroutines_run_in, in_loop, ref_of


@rule(code="GC2003", name="waitgroup-wait-in-goroutine", severity=Severity.ERROR)
def check(ctx):
    for g in goroutines_run_in(ctx):
        site = g.site
        if site.kind == "waitgroup":
            # wg.Go(f) counts f until it returns: a Wait on wg inside f waits for itself.
            own = ref_of(ctx, site.file, site.receiver) if site.receiver is not None else None
            for wait in calls_in(ctx, g, "Wait"):
                if own is not None and wait.ref == own:
                    yield ctx.report(
                        wait.call,
                        f"{wait.key}.Wait() inside a function run by {wait.key}.Go: {wait.key} counts this "
                        f"function until it returns, so Wait waits for itself; this deadlocks",
                        related=[ctx.related(site.node, "started here")],
                    )
            continue
        if site.kind != "go":
            continue
        fn = g.fn
        dones = [d for d in calls_in(ctx, g, "Done") if not in_loop(d, fn)]
        if not dones:
            continue
        adds = list(calls_in(ctx, g, "Add"))
        for wait in calls_in(ctx, g, "Wait"):
            end = wait.call.end_byte
            if wait.deferred:
                # deferred calls run last first: a Done deferred before this Wait runs after it
                later = [d for d in dones if d.ref == wait.ref and d.deferred and d.call.start_byte < wait.call.start_byte]
                if any(d.ref == wait.ref and not d.deferred for d in dones):
                    later = []  # a plain Done runs before any deferred call
            else:
                later = [d for d in dones if d.ref == wait.ref and (d.deferred or d.call.start_byte > end)]
            if not later:
                continue
            if any(a.ref == wait.ref and a.call.start_byte > end for a in adds):
                continue  # counts itself again after the Wait: that Done balances this Add
            yield ctx.report(
                wait.call,
                f"{wait.key}.Wait() inside a goroutine that {wait.key} counts: it waits for this goroutine's "
                f"own {wait.key}.Done(), which runs only after Wait returns; this deadlocks",
                related=[ctx.related(later[0].call, "this goroutine's Done")],
            )
