"""a channel closed again where it is already closed

## What it does
Finds a `close(ch)` that runs when `ch` is already closed: closed earlier on every path to
it in the same function, closed by every iteration of a loop that can run again, or closed
explicitly while a deferred `close(ch)` of the same channel is pending, so the deferred close
runs on a closed channel when the function returns (or panics).

## Why is this bad?
Closing a closed channel panics (`panic: close of closed channel`), whatever the goroutine
and whoever recovers. The second close usually sits on an error path or in a cleanup that
was added later, so tests that take the happy path never see it.

## Example
```go
func produce(items []int, out chan<- int) error {
	defer close(out)
	for _, it := range items {
		if it < 0 {
			close(out)
			return errNegative
		}
		out <- it
	}
	return nil
}
```

## Use instead
```go
func produce(items []int, out chan<- int) error {
	defer close(out)
	for _, it := range items {
		if it < 0 {
			return errNegative
		}
		out <- it
	}
	return nil
}
```
When several paths or goroutines may close the same channel, close it in one place (the
sender's owner), or guard it with a `sync.Once`.

## Limitations
Per function, along its control flow: a channel counts as closed only when it is closed on
*every* path to the point in question (so `if a { close(ch) }` followed later by `if !a {
close(ch) }` is quiet). A channel is named by its access path (`ch`, `s.done`, `c.subs[0]`);
an element reached through a variable index is not followed. Reassigning the variable (or a
prefix of the path), taking its address, or, for a struct field, calling a function of the
package (or a function value) with the field's root as receiver or argument ends what is
known: the call may store a new channel (any call of the package's functions, for a
package-level variable; a call of a func value, for a local). A deferred close counts when it
is `defer close(ch)` or a `close(ch)` at the top level of a deferred function literal; it
closes the channel the variable held when the `defer` ran, even if the variable is assigned
later. A loop is reported when every
iteration closes the channel and another iteration can start after the close; a loop that
always leaves after closing, or that can go round without closing, is quiet. Closes in
different functions (a `Close` method called twice) or in different goroutines are not
followed. A close in a test's function literal that is handed to another function (a panic
checker, a table of cases) is taken to provoke the panic on purpose.
"""

from __future__ import annotations

from goconc.model import Severity
from goconc.registry import rule
from goconc.rules._helpers import line_of
from goconc.rules.channel._close import flows


@rule(code="GC4001", name="channel-closed-twice", severity=Severity.ERROR)
def check(ctx):
    gf = ctx.file
    if b"close(" not in gf.src:
        return
    for f in flows(ctx):
        yield from _report(ctx, f)


def _report(ctx, f):
    gf = ctx.file
    for op, earlier in f.twice:
        name = gf.node_text(op.chan)
        first = earlier[0] if earlier else None
        where = f" at line {line_of(first)}" if first is not None else ""
        yield ctx.report(
            op.node,
            f"{name} is closed again here: it is already closed{where} on every path that reaches this "
            f"close, and closing a closed channel panics; close it in one place",
            related=[ctx.related(s, f"{name} closed here") for s in earlier[:3]],
        )
    for op, earlier in f.deferred_twice:
        name = gf.node_text(op.chan)
        yield ctx.report(
            op.node,
            f"{name} is closed by a second deferred close: the deferred close at line {line_of(earlier[0])} "
            f"closes it too, and closing a closed channel panics when the function returns",
            related=[ctx.related(s, "deferred close here") for s in earlier[:3]],
        )
    done = set()
    for op, sites in f.at_return:
        name = gf.node_text(op.chan)
        for s in sites:
            if s.id in done:
                continue
            done.add(s.id)
            yield ctx.report(
                s,
                f"{name} is closed here, and the deferred close at line {line_of(op.node)} closes it again when "
                f"the function returns: closing a closed channel panics; drop this close and let the deferred "
                f"one close {name}",
                related=[ctx.related(op.node, f"the deferred close of {name}")],
            )
    for op, loop in f.every_iteration:
        name = gf.node_text(op.chan)
        yield ctx.report(
            op.node,
            f"every iteration of the loop at line {line_of(loop)} closes {name}, made outside it: the "
            f"second iteration closes it again and panics; close {name} once, after the loop",
            related=[ctx.related(loop, "the loop")],
        )
